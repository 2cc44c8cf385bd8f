//! Corrections to errors in the API description, applied to the spec before
//! the model is built. Each entry says why; an entry that no longer matches
//! the description is an error, so a fixed description retires its entry.

use serde_json::Value;

/// Fields the description lists as required that the service takes without:
/// `(schema, field, why)`.
pub const NOT_REQUIRED: &[(&str, &str, &str)] = &[(
    "UpdateFunctionModelDto",
    "showFieldKey",
    "update_model: the official SDKs have no parameter for it and the service takes the call without it",
)];

/// Applies the corrections to `spec`.
pub fn apply(spec: &mut Value) -> Result<(), String> {
    for (schema, field, _why) in NOT_REQUIRED {
        let required = spec["components"]["schemas"][*schema]["required"]
            .as_array_mut()
            .ok_or_else(|| format!("override: schema {schema} has no required list"))?;
        let before = required.len();
        required.retain(|f| f.as_str() != Some(*field));
        if required.len() == before {
            return Err(format!(
                "override: {schema}.{field} is not required in the description any more; remove the override"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_field_becomes_optional_and_a_stale_entry_is_an_error() {
        let mut spec = serde_json::json!({"components": {"schemas": {
            "UpdateFunctionModelDto": {"required": ["showFieldKey", "id"]}
        }}});
        apply(&mut spec).unwrap();
        assert_eq!(
            spec["components"]["schemas"]["UpdateFunctionModelDto"]["required"],
            serde_json::json!(["id"])
        );
        assert!(apply(&mut spec)
            .unwrap_err()
            .contains("remove the override"));
    }
}
