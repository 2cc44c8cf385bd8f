//! The API generator of genauth-rs.
//!
//! For now it renders the error-code catalogue: `crates/genauth-types/src/codes.rs`
//! and `docs/error-codes-table.md`, from `error-codes.json`.
//!
//! ```text
//! cargo run -p genauth-codegen -- [--check] [PATH/TO/error-codes.json]
//! ```
//!
//! The default path is `../shared/api/error-codes.json` relative to the
//! workspace root. With `--check` nothing is written: the command exits with
//! status 1 when a committed file differs from what would be generated.

mod error_codes;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().unwrap_or(root);
    let mut check = false;
    let mut json_path = None;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--check" => check = true,
            "-h" | "--help" => {
                println!("usage: genauth-codegen [--check] [PATH/TO/error-codes.json]");
                return ExitCode::SUCCESS;
            }
            s if s.starts_with('-') => {
                eprintln!("unknown option {s}; see --help");
                return ExitCode::from(2);
            }
            s => json_path = Some(PathBuf::from(s)),
        }
    }
    let json_path = json_path.unwrap_or_else(|| root.join(error_codes::DEFAULT_JSON_PATH));
    match error_codes::run(&root, &json_path, check) {
        Ok(drift) if drift.is_empty() => ExitCode::SUCCESS,
        Ok(drift) => {
            for file in drift {
                eprintln!("out of date: {file} (run `cargo run -p genauth-codegen`)");
            }
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("genauth-codegen: {e}");
            ExitCode::from(2)
        }
    }
}
