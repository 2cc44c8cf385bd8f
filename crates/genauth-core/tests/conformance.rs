//! Decodes every documented sample response of the official docs through the
//! operation that owns it (`shared/conformance/docs-samples`, outside the
//! repository). Samples that match their declared types must decode; for the
//! rest, the test prints how many decode anyway.
//!
//! Without the `shared` directory (a user's clone) the test prints a notice and
//! passes without checking anything.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use genauth_core::ops::registry::{self, ClientKind};

fn samples_dir() -> Option<PathBuf> {
    let start = Path::new(env!("CARGO_MANIFEST_DIR"));
    start
        .ancestors()
        .map(|d| d.join("shared/conformance/docs-samples"))
        .find(|d| d.join("index.json").is_file())
}

#[test]
fn documented_samples_decode_through_their_operations() {
    let Some(dir) = samples_dir() else {
        eprintln!(
            "notice: shared/conformance/docs-samples is absent; skipping the conformance test"
        );
        return;
    };
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    let ops = index["operations"].as_array().expect("index.operations");
    let (mut matching, mut matching_ok) = (0, 0);
    let (mut others, mut others_ok) = (0, 0);
    // Pages of the docs for methods the Python SDK 5.1.0 (and so the API
    // description) does not have: there is no operation to decode them with.
    let mut no_operation = Vec::new();
    let mut matching_without_operation = 0;
    let mut failures = Vec::new();
    for entry in ops {
        let file = entry["file"].as_str().unwrap();
        let sample: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join(file)).unwrap()).unwrap();
        let client = match entry["client"].as_str() {
            Some("authentication") => ClientKind::Authentication,
            _ => ClientKind::Management,
        };
        // The sign-in and sign-up wrappers decode through the generic call they wrap.
        let method = sample["wraps"]
            .as_str()
            .or_else(|| entry["method"].as_str())
            .unwrap();
        let Some(meta) = registry::by_name(client, method) else {
            no_operation.push(method.to_owned());
            if entry["sample_matches_declared_types"] == true {
                matching_without_operation += 1;
            }
            continue;
        };
        let body = serde_json::to_vec(&sample["response_sample"]).unwrap();
        let result = (meta.decode)(http::Response::new(Bytes::from(body)));
        if entry["sample_matches_declared_types"] == true {
            matching += 1;
            match result {
                Ok(()) => matching_ok += 1,
                Err(e) => failures.push(format!("{file}: {e}")),
            }
        } else {
            others += 1;
            if result.is_ok() {
                others_ok += 1;
            }
        }
    }
    println!(
        "documented samples: {matching_ok}/{matching} matching their declared types decode; \
         {others_ok}/{others} of the others decode too; {} pages ({matching_without_operation} \
         of them matching) document a method the API description does not have: {:?}",
        no_operation.len(),
        no_operation
    );
    assert!(
        failures.is_empty(),
        "samples that should decode:\n{}",
        failures.join("\n")
    );
    assert_eq!(
        matching + matching_without_operation,
        215,
        "the index lists 215 matching samples"
    );
    assert!(
        matching >= 187,
        "every operation with a matching sample is checked"
    );
}
