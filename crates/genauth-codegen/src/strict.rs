//! Which missing response fields are decode errors rather than defaults.
//!
//! Response types decode tolerantly (`#[serde(default)]`), with one class of
//! exceptions: a required id. An object without its id cannot be told apart
//! from any other, and an empty id passed on to the next call acts on the
//! wrong thing, so a required id that is absent or `null` fails decoding
//! (`genauth_types::lenient::id`). The rule is written in `docs/errors.md`
//! ("Missing values").

use std::collections::BTreeSet;

use crate::model::{Field, Model, Struct, Ty};

/// Required ids that the documented samples (`shared/conformance/docs-samples`)
/// leave out: `(schema, field)`. They stay lenient (an empty string when
/// absent). Found by walking every sample along its declared response type
/// (the test `the_exceptions_are_exactly_the_ids_the_samples_leave_out` walks
/// them again and fails on a missing or a stale entry); the service's answers
/// are the authority, not the description's `required`. A list that a sample
/// shows as one object (the docs do that for arrays) counts as one item.
const OMITTED_BY_THE_SERVICE: &[(&str, &str)] = &[
    ("ApplicationDefaultLoginMethod", "adExtIdpConnId"), // create_application, get_application, list_applications, userpoll_tenant_config
    ("ApplicationDefaultLoginMethod", "ldapExtIdpConnId"), // create_application, get_application, list_applications, userpoll_tenant_config
    ("ApplicationDto", "userPoolId"),                      // get_application, list_applications
    ("CellDto", "fieldId"), // create_row, get_import_template, get_row, get_row_batch, get_row_by_value, update_row (`cellList: {}`)
    ("CreateApplicationRespDataDto", "userPoolId"), // create_application
    ("ExtIdpInfoDto", "extIdpId"), // get_application_enabled_ext_idps
    ("FastpassUserInfoDto", "id"), // gene_fastpass_qrcode_info
    ("FunctionModelDto", "id"), // create_model, get_model, list_model, update_model
    ("FunctionModelDto", "userPoolId"), // create_model, get_model, list_model, update_model
    ("FunctionModelFieldDto", "id"), // create_field, list_field, update_field
    ("FunctionModelFieldDto", "modelId"), // create_field, list_field, update_field
    ("GeneFastpassQRCodeInfoDto", "appId"), // gene_fastpass_qrcode_info
    ("OperateModelDto", "id"), // list_operate, list_operate_all
    ("OperateModelDto", "modelId"), // list_operate, list_operate_all
    ("OperateModelDto", "userPoolId"), // list_operate, list_operate_all
    ("PublicKeyCredentialDescriptorDto", "id"), // init_authentication_options, init_register_options
    ("PublicKeyCredentialRequestOptionsDto", "rpId"), // init_authentication_options
    ("PublicKeyCredentialUserEntityDto", "id"), // init_register_options
    ("RowDto", "rowId"), // create_row, get_import_template, get_row, get_row_batch, get_row_by_value, update_row
    ("TenantDto", "sourceAppId"), // create_tenant (decoded as TenantDto; the docs declare TenantRespDto)
    ("TenantDto", "userPoolId"),  // create_tenant
    ("TenantRespDto", "sourceAppId"), // create_tenant, get_tenant, list_tenants
    ("TenantRespDto", "userPoolId"), // create_tenant, get_tenant, list_tenants
    ("TenantUserDto", "linkUserId"), // get_tenant_user, list_tenant_admin, list_tenant_users
    ("TenantUserDto", "memberId"), // get_tenant_user, list_tenant_admin, list_tenant_users
];

/// Whether a wire name names an id: `id`, `…Id`, `…_id`.
fn is_id(wire: &str) -> bool {
    wire == "id" || wire.ends_with("Id") || wire.ends_with("_id")
}

/// Whether `f` is a required id by the API description (a required string
/// named like an id).
fn required_id(f: &Field) -> bool {
    f.required && matches!(f.ty, Ty::Str) && is_id(&f.wire)
}

/// Whether `f` of `s` is a required id that must be present in a response.
pub fn strict_id(s: &Struct, f: &Field) -> bool {
    required_id(f) && !OMITTED_BY_THE_SERVICE.contains(&(s.spec_name.as_str(), f.wire.as_str()))
}

/// Required nested objects that the documented samples leave out or send as
/// `null` although their type holds a required id: `(schema, field)`. They
/// stay lenient (an empty object when absent or `null`). The test
/// `the_exceptions_are_exactly_the_ids_the_samples_leave_out` keeps the list
/// exact.
const OBJECTS_OMITTED_BY_THE_SERVICE: &[(&str, &str)] = &[];

/// The types whose default value would make up an id: a required id
/// ([`strict_id`]) or, in turn, a required object of such a type.
pub fn types_with_ids(model: &Model) -> BTreeSet<String> {
    let mut found: BTreeSet<String> = model
        .structs
        .values()
        .filter(|s| s.fields.iter().any(|f| strict_id(s, f)))
        .map(|s| s.name.clone())
        .collect();
    loop {
        let more: Vec<String> = model
            .structs
            .values()
            .filter(|s| !found.contains(&s.name))
            .filter(|s| s.fields.iter().any(|f| object_with_ids(&found, s, f)))
            .map(|s| s.name.clone())
            .collect();
        if more.is_empty() {
            return found;
        }
        found.extend(more);
    }
}

/// Whether `f` of `s` is a required object whose type is in `with_ids`.
fn object_with_ids(with_ids: &BTreeSet<String>, s: &Struct, f: &Field) -> bool {
    let Ty::Struct(t) = &f.ty else {
        return false;
    };
    f.required
        && with_ids.contains(t)
        && !OBJECTS_OMITTED_BY_THE_SERVICE.contains(&(s.spec_name.as_str(), f.wire.as_str()))
}

/// Whether `f` of `s` is a required object that must be present and not
/// `null` in a response: its type holds a required id, and an empty object in
/// its place would hold an empty id.
pub fn strict_object(with_ids: &BTreeSet<String>, s: &Struct, f: &Field) -> bool {
    object_with_ids(with_ids, s, f)
}

/// Whether a response struct has a field that must be present, so that it
/// gets `default` per field instead of on the whole struct.
pub fn has_strict_field(with_ids: &BTreeSet<String>, s: &Struct) -> bool {
    s.fields
        .iter()
        .any(|f| strict_id(s, f) || strict_object(with_ids, s, f))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(wire: &str, required: bool, ty: Ty) -> Field {
        Field {
            wire: wire.into(),
            ident: wire.into(),
            ty,
            required,
        }
    }

    #[test]
    fn required_string_ids_are_strict_unless_the_service_omits_them() {
        let s = Struct {
            name: "TenantRespDto".into(),
            spec_name: "TenantRespDto".into(),
            fields: vec![],
        };
        assert!(strict_id(&s, &field("tenantId", true, Ty::Str)));
        assert!(strict_id(&s, &field("id", true, Ty::Str)));
        assert!(strict_id(&s, &field("user_id", true, Ty::Str)));
        assert!(
            !strict_id(&s, &field("userPoolId", true, Ty::Str)),
            "omitted in get_tenant"
        );
        assert!(
            !strict_id(&s, &field("tenantId", false, Ty::Str)),
            "optional"
        );
        assert!(!strict_id(&s, &field("name", true, Ty::Str)), "not an id");
        assert!(!strict_id(&s, &field("idType", true, Ty::Str)), "not an id");
        assert!(!strict_id(
            &s,
            &field("roleIds", true, Ty::Vec(Box::new(Ty::Str)))
        ));
    }

    type Omissions =
        std::collections::BTreeMap<(String, String), std::collections::BTreeSet<String>>;

    /// What the samples leave out (absent or `null`): required ids and
    /// required objects whose type holds an id, as `(schema, field)` with the
    /// operations whose samples leave them out.
    #[derive(Default)]
    struct Found {
        ids: Omissions,
        objects: Omissions,
    }

    /// Walks `value` along `ty`, recording what is left out.
    fn walk(
        model: &Model,
        with_ids: &BTreeSet<String>,
        ty: &Ty,
        value: &serde_json::Value,
        op: &str,
        out: &mut Found,
    ) {
        use serde_json::Value;
        match (ty, value) {
            (Ty::Vec(t), Value::Array(items)) => {
                for item in items {
                    walk(model, with_ids, t, item, op, out);
                }
            }
            // The docs show an array as one example object.
            (Ty::Vec(t), Value::Object(_)) => walk(model, with_ids, t, value, op, out),
            (Ty::Page(t), Value::Object(page)) => {
                if let Some(list) = page.get("list") {
                    walk(model, with_ids, &Ty::Vec(t.clone()), list, op, out);
                }
            }
            (Ty::Struct(name), Value::Object(obj)) => {
                let Some(s) = model.structs.get(name) else {
                    return;
                };
                for f in &s.fields {
                    let v = obj.get(&f.wire).unwrap_or(&Value::Null);
                    let key = (s.spec_name.clone(), f.wire.clone());
                    let object_with_ids =
                        f.required && matches!(&f.ty, Ty::Struct(t) if with_ids.contains(t));
                    if v.is_null() && required_id(f) {
                        out.ids.entry(key).or_default().insert(op.to_owned());
                    } else if v.is_null() && object_with_ids {
                        out.objects.entry(key).or_default().insert(op.to_owned());
                    }
                    walk(model, with_ids, &f.ty, v, op, out);
                }
            }
            _ => {}
        }
    }

    fn keys(o: &Omissions) -> Vec<(&str, &str)> {
        o.keys().map(|(s, f)| (s.as_str(), f.as_str())).collect()
    }

    #[test]
    fn the_exceptions_are_exactly_the_ids_the_samples_leave_out() {
        let spec_path = crate::default_spec(&crate::workspace_root());
        let samples = spec_path
            .parent()
            .and_then(|api| api.parent())
            .map(|shared| shared.join("conformance/docs-samples"))
            .filter(|d| d.join("index.json").is_file());
        let Some(samples) = samples else {
            eprintln!("notice: shared/conformance/docs-samples is absent; skipping");
            return;
        };
        let read = |p: &std::path::Path| -> serde_json::Value {
            serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
        };
        let mut spec = read(&spec_path);
        crate::overrides::apply(&mut spec).unwrap();
        let model = crate::model::build(&spec).unwrap();
        let with_ids = types_with_ids(&model);
        let index = read(&samples.join("index.json"));
        let mut found = Found::default();
        let mut walked = 0;
        for entry in index["operations"].as_array().unwrap() {
            let sample = read(&samples.join(entry["file"].as_str().unwrap()));
            let name = sample["wraps"]
                .as_str()
                .or_else(|| entry["method"].as_str())
                .unwrap();
            let client = entry["client"].as_str().unwrap_or("management");
            let Some(op) = model
                .ops
                .iter()
                .find(|o| o.name == name && o.client.module() == client)
            else {
                continue;
            };
            let body = &sample["response_sample"];
            let value = if op.envelope { &body["data"] } else { body };
            walk(&model, &with_ids, &op.output, value, name, &mut found);
            walked += 1;
        }
        assert!(walked > 300, "only {walked} samples walked");
        assert_eq!(
            keys(&found.ids),
            OMITTED_BY_THE_SERVICE.to_vec(),
            "OMITTED_BY_THE_SERVICE must list exactly the required ids the samples leave out: {:#?}",
            found.ids
        );
        assert_eq!(
            keys(&found.objects),
            OBJECTS_OMITTED_BY_THE_SERVICE.to_vec(),
            "OBJECTS_OMITTED_BY_THE_SERVICE must list exactly the required objects with ids the samples leave out: {:#?}",
            found.objects
        );

        // docs/errors.md states the counts.
        let (mut ids, mut types, mut objects) = (0, 0, 0);
        for s in model.structs.values() {
            if !model.response.contains(&s.name) {
                continue;
            }
            let n = s.fields.iter().filter(|f| strict_id(s, f)).count();
            if n > 0 {
                types += 1;
                ids += n;
            }
            objects += s
                .fields
                .iter()
                .filter(|f| strict_object(&with_ids, s, f))
                .count();
        }
        let docs = std::fs::read_to_string(crate::workspace_root().join("docs/errors.md")).unwrap();
        for claim in [
            format!("{ids} ids of {types} response types are checked"),
            format!("{} of them", OMITTED_BY_THE_SERVICE.len()),
            format!("{objects} required objects are checked"),
        ] {
            assert!(docs.contains(&claim), "docs/errors.md should say: {claim}");
        }
    }
}
