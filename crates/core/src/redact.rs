//! Secret material (passwords, Secret data, credential env values) is never shown. Loading and
//! rules record the byte spans that hold it; front ends mask them before showing source text.

use crate::source::Span;

/// Replaces every byte of each span with `*`, keeping byte offsets (and so all spans) valid.
/// Multi-byte characters inside a span become several `*`.
pub fn mask(text: &str, spans: &[Span]) -> String {
    if spans.is_empty() {
        return text.to_string();
    }
    let mut bytes = text.as_bytes().to_vec();
    for span in spans {
        let end = span.end.min(bytes.len());
        let start = span.start.min(end);
        for b in &mut bytes[start..end] {
            // keep line structure so line/column numbers stay right
            if *b != b'\n' {
                *b = b'*';
            }
        }
    }
    // Masking whole multi-byte sequences can split one at a span edge: repair lossily.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_in_place() {
        let text = "--requirepass=hunter2\nnext";
        let masked = mask(text, &[Span::new(14, 21)]);
        assert_eq!(masked, "--requirepass=*******\nnext");
        assert_eq!(masked.len(), text.len());
    }
}
