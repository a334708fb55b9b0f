// Compiles every JSON Schema in a folder with Ajv in strict mode (formats asserted through ajv-formats), then
// validates JSON files against them. Ajv is installed by scripts/setup.sh into .build/node/ (pinned versions).
//
// usage: node scripts/check-schemas.cjs <schema folder> [<schema file name>=<data file> ...]
//   A data file ending in .jsonl is validated line by line. Prints one line per problem; exits 1 on any.
"use strict";
const fs = require("fs");
const path = require("path");
const { createRequire } = require("module");

const local = createRequire(path.join(__dirname, "..", ".build", "node", "node_modules", "_"));
const Ajv2020 = local("ajv/dist/2020").default;
const addFormats = local("ajv-formats").default;

const [schemaDir, ...checks] = process.argv.slice(2);
if (!schemaDir) {
  console.error("usage: node scripts/check-schemas.cjs <schema folder> [<schema file name>=<data file> ...]");
  process.exit(2);
}

const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const problems = [];
const byName = new Map();
for (const name of fs.readdirSync(schemaDir).filter((f) => f.endsWith(".schema.json")).sort()) {
  const schema = JSON.parse(fs.readFileSync(path.join(schemaDir, name), "utf8"));
  try {
    ajv.addSchema(schema, name);
    byName.set(name, schema);
  } catch (e) {
    problems.push(`${name}: ${e.message}`);
  }
}
for (const name of byName.keys()) {
  try {
    ajv.getSchema(name);
  } catch (e) {
    problems.push(`${name}: ${e.message}`);
  }
}
let validated = 0;
for (const check of checks) {
  const at = check.indexOf("=");
  const [name, file] = [check.slice(0, at), check.slice(at + 1)];
  const validate = byName.has(name) ? ajv.getSchema(name) : null;
  if (!validate) {
    problems.push(`${name}: no such schema (or it did not compile)`);
    continue;
  }
  const text = fs.readFileSync(file, "utf8");
  const documents = file.endsWith(".jsonl")
    ? text.split("\n").map((line, i) => [`${file}:${i + 1}`, line]).filter(([, line]) => line.length > 0)
    : [[file, text]];
  for (const [where, json] of documents) {
    validated++;
    let value;
    try {
      value = JSON.parse(json);
    } catch (e) {
      problems.push(`${where}: not JSON: ${e.message}`);
      continue;
    }
    if (!validate(value))
      for (const error of validate.errors) problems.push(`${where}: ${name}: ${error.instancePath || "/"} ${error.message} ${JSON.stringify(error.params)}`);
  }
}
for (const problem of problems) console.log(problem);
console.log(`ajv strict: ${byName.size} schemas, ${validated} documents, ${problems.length} problems`);
process.exit(problems.length === 0 ? 0 : 1);
