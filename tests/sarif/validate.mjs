// Validates SARIF logs against the SARIF 2.1.0 JSON schema (draft 2020-12) with ajv, every
// error reported. Usage: node validate.mjs FILE...; the packages are looked up in the
// directory DFLINT_SARIF_VALIDATOR names (scripts/test installs them there from package.json).
// Prints one line per file, "valid" or its errors; exits 1 when any file is invalid.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const home = process.env.DFLINT_SARIF_VALIDATOR;
if (!home) {
  console.error("DFLINT_SARIF_VALIDATOR is not set: run scripts/test, which installs the validator");
  process.exit(2);
}
const require = createRequire(join(home, "package.json"));
const Ajv2020 = require("ajv/dist/2020").default;
const addFormats = require("ajv-formats").default;
const schemaPath = require.resolve("@microsoft/sarif-multitool-linux/sarif-2.1.0.json");
const schema = JSON.parse(readFileSync(schemaPath, "utf8"));

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);
let failed = false;
for (const file of process.argv.slice(2)) {
  if (validate(JSON.parse(readFileSync(file, "utf8")))) {
    console.log(`${file}: valid (${schema.title})`);
  } else {
    failed = true;
    console.log(`${file}: ${validate.errors.length} errors`);
    for (const error of validate.errors) {
      console.log(`  ${error.instancePath || "/"}: ${error.message} ${JSON.stringify(error.params)}`);
    }
  }
}
process.exit(failed ? 1 : 0);
