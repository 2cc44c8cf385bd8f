//! `genauth-codegen`: generates the typed API of genauth-rs from the GenAuth V3
//! OpenAPI description.
//!
//! ```text
//! cargo run -p genauth-codegen                 # write the generated files
//! cargo run -p genauth-codegen -- --check      # exit 1 if a committed file differs
//! cargo run -p genauth-codegen -- path/to/genauth-v3.openapi.json
//! ```
//!
//! Without a path it reads `../shared/api/genauth-v3.openapi.json` from the
//! workspace root (or from the nearest ancestor directory that has `shared/api`).
//! The error-code catalogue (`error-codes.json`, beside the spec) becomes
//! `genauth_types::codes` and `docs/error-codes-table.md`.
//! Output is deterministic and formatted with `rustfmt --edition 2021`.

mod cli;
mod docs;
mod emit;
mod error_codes;
mod model;
mod overrides;
mod secrets;
mod strict;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

const SPEC_REL: &str = "shared/api/genauth-v3.openapi.json";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| PathBuf::from("."))
}

fn default_spec(root: &Path) -> PathBuf {
    // `../shared` seen from the workspace root; worktrees nested deeper find it further up.
    let mut dir = root.parent();
    while let Some(d) = dir {
        let candidate = d.join(SPEC_REL);
        if candidate.exists() {
            return candidate;
        }
        dir = d.parent();
    }
    root.join("..").join(SPEC_REL)
}

fn rustfmt(path: &str, src: &str) -> Result<String, String> {
    if !path.ends_with(".rs") {
        return Ok(src.to_owned());
    }
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2021", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run rustfmt: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let input = src.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt: {e}"))?;
    let _ = writer.join();
    if !out.status.success() {
        return Err(format!(
            "rustfmt failed on {path}: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| e.to_string())
}

fn generate(spec_path: &Path) -> Result<BTreeMap<String, String>, String> {
    let text = std::fs::read_to_string(spec_path)
        .map_err(|e| format!("cannot read {}: {e}", spec_path.display()))?;
    let mut spec: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("bad JSON in the spec: {e}"))?;
    overrides::apply(&mut spec)?;
    let mut model = model::build(&spec)?;
    // The documented samples (example values for the docs) sit beside the API
    // description: `shared/conformance/docs-samples`.
    let samples = spec_path
        .parent()
        .and_then(Path::parent)
        .map(|shared| shared.join("conformance/docs-samples"))
        .ok_or("the spec path has no parent directory")?;
    model.prepare_docs(&samples)?;
    let mut files = BTreeMap::new();
    files.extend(model.emit_types());
    files.extend(model.emit_ops());
    files.insert(
        "crates/genauth-core/src/ops/generated/registry.rs".into(),
        model.emit_registry(),
    );
    files.extend(model.emit_clients());
    files.insert(
        "crates/genauth-core/tests/generated_ops.rs".into(),
        model.emit_op_tests(),
    );
    files.insert(
        "crates/genauth-types/tests/generated_dtos.rs".into(),
        model.emit_dto_tests(),
    );
    files.insert("docs/python-to-rust.md".into(), model.emit_python_table());
    files.insert(docs::EXAMPLES_PATH.into(), model.emit_examples_module());
    files.insert(secrets::DOCS_PATH.into(), model.emit_secret_list());
    files.insert(cli::PATH.into(), cli::render(&model));

    // The error-code catalogue sits beside the spec.
    let codes_path = spec_path.with_file_name("error-codes.json");
    let codes_text = std::fs::read_to_string(&codes_path)
        .map_err(|e| format!("cannot read {}: {e}", codes_path.display()))?;
    let codes: serde_json::Value = serde_json::from_str(&codes_text)
        .map_err(|e| format!("bad JSON in {}: {e}", codes_path.display()))?;
    files.insert(
        error_codes::TYPES_PATH.into(),
        error_codes::render_types(&codes)?,
    );
    files.insert(
        error_codes::DOCS_PATH.into(),
        error_codes::render_docs(&codes)?,
    );

    let mut formatted = BTreeMap::new();
    for (path, src) in files {
        let out = rustfmt(&path, &src)?;
        formatted.insert(path, out);
    }
    Ok(formatted)
}

fn main() -> ExitCode {
    let mut check = false;
    let mut spec = None;
    for a in std::env::args().skip(1) {
        match a.as_str() {
            "--check" => check = true,
            "-h" | "--help" => {
                println!("usage: genauth-codegen [--check] [SPEC.json]");
                return ExitCode::SUCCESS;
            }
            p => spec = Some(PathBuf::from(p)),
        }
    }
    let root = workspace_root();
    let spec = spec.unwrap_or_else(|| default_spec(&root));
    let files = match generate(&spec) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("genauth-codegen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut drift = Vec::new();
    for (rel, content) in &files {
        let path = root.join(rel);
        let current = std::fs::read_to_string(&path).ok();
        if current.as_deref() == Some(content.as_str()) {
            continue;
        }
        if check {
            drift.push(rel.clone());
            continue;
        }
        if let Some(dir) = path.parent() {
            if let Err(e) = std::fs::create_dir_all(dir) {
                eprintln!("genauth-codegen: {}: {e}", dir.display());
                return ExitCode::FAILURE;
            }
        }
        if let Err(e) = std::fs::write(&path, content) {
            eprintln!("genauth-codegen: {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("wrote {rel}");
    }
    if check {
        if drift.is_empty() {
            println!(
                "genauth-codegen: {} generated files are up to date",
                files.len()
            );
        } else {
            eprintln!("genauth-codegen: these files differ from a fresh run:");
            for d in &drift {
                eprintln!("  {d}");
            }
            eprintln!("run `cargo run -p genauth-codegen` and commit the result");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
