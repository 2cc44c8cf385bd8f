//! Which missing response fields are decode errors rather than defaults.
//!
//! Response types decode tolerantly (`#[serde(default)]`), with one class of
//! exceptions: a required id. An object without its id cannot be told apart
//! from any other, and an empty id passed on to the next call acts on the
//! wrong thing, so a required id that is absent or `null` fails decoding
//! (`genauth_types::lenient::id`). The rule is written in `docs/errors.md`
//! ("Missing values").

use crate::model::{Field, Struct, Ty};

/// Required ids that the documented samples (`shared/conformance/docs-samples`)
/// leave out: `(schema, field)`. They stay lenient (an empty string when
/// absent). Found by walking every sample along its declared response type;
/// the service's answers are the authority, not the description's `required`.
const OMITTED_BY_THE_SERVICE: &[(&str, &str)] = &[
    ("ApplicationDefaultLoginMethod", "adExtIdpConnId"), // absent in create_application, get_application, userpoll_tenant_config
    ("ApplicationDefaultLoginMethod", "ldapExtIdpConnId"), // absent in create_application, get_application, userpoll_tenant_config
    ("ApplicationDto", "userPoolId"),                      // absent in get_application
    ("CreateApplicationRespDataDto", "userPoolId"),        // absent in create_application
    ("FastpassUserInfoDto", "id"),                         // absent in gene_fastpass_qrcode_info
    ("FunctionModelDto", "id"), // absent in create_model, get_model, update_model
    ("FunctionModelDto", "userPoolId"), // absent in create_model, get_model, update_model
    ("FunctionModelFieldDto", "id"), // absent in create_field, update_field
    ("FunctionModelFieldDto", "modelId"), // absent in create_field, update_field
    ("GeneFastpassQRCodeInfoDto", "appId"), // absent in gene_fastpass_qrcode_info
    ("OperateModelDto", "id"),  // absent in list_operate, list_operate_all
    ("OperateModelDto", "modelId"), // absent in list_operate, list_operate_all
    ("OperateModelDto", "userPoolId"), // absent in list_operate, list_operate_all
    ("PublicKeyCredentialRequestOptionsDto", "rpId"), // absent in init_authentication_options
    ("PublicKeyCredentialUserEntityDto", "id"), // absent in init_register_options
    ("RowDto", "rowId"), // absent in create_row, get_import_template, get_row, get_row_by_value, update_row
    ("TenantRespDto", "sourceAppId"), // absent in create_tenant, get_tenant
    ("TenantRespDto", "userPoolId"), // absent in create_tenant, get_tenant
    ("TenantUserDto", "linkUserId"), // absent in get_tenant_user
    ("TenantUserDto", "memberId"), // absent in get_tenant_user
];

/// Whether a wire name names an id: `id`, `…Id`, `…_id`.
fn is_id(wire: &str) -> bool {
    wire == "id" || wire.ends_with("Id") || wire.ends_with("_id")
}

/// Whether `f` of `s` is a required id that must be present in a response.
pub fn strict_id(s: &Struct, f: &Field) -> bool {
    f.required
        && matches!(f.ty, Ty::Str)
        && is_id(&f.wire)
        && !OMITTED_BY_THE_SERVICE.contains(&(s.spec_name.as_str(), f.wire.as_str()))
}

/// Whether a response struct has a field that must be present, so that it
/// gets `default` per field instead of on the whole struct.
pub fn has_strict_field(s: &Struct) -> bool {
    s.fields.iter().any(|f| strict_id(s, f))
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
}
