//! Writing to standard output. A reader that stops early (`dflint rules | head -1`) closes
//! the pipe; that is the reader's choice, not a failure: what it read was right, so the
//! command ends with the exit code its results decide. `print!` would panic there instead.

use std::io::{self, Write};

/// Writes `text` to standard output and flushes it. Only a real failure (a full disk, a
/// revoked file) is an error; a closed pipe is not.
pub fn print(text: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    reader_gone_is_ok(
        stdout
            .write_all(text.as_bytes())
            .and_then(|_| stdout.flush()),
    )
}

/// `result` with a closed pipe counted as success.
pub fn reader_gone_is_ok(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
