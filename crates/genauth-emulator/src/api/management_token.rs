//! `get-management-token`: access key pairs exchanged for management tokens.

use serde::Deserialize;
use serde_json::json;

use super::ApiResult;
use crate::http_util::{now_secs, ApiErr, Req};
use crate::keys::secret_eq;
use crate::Shared;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenReq {
    access_key_id: String,
    access_key_secret: String,
}

pub(super) fn management_token(shared: &Shared, req: &Req) -> ApiResult {
    let body: TokenReq = req.json()?;
    let ok = shared.access_keys.iter().any(|k| {
        k.id == body.access_key_id && secret_eq(k.secret.expose(), &body.access_key_secret)
    });
    if !ok {
        return Err(ApiErr::new(
            401,
            None,
            "the access key id or secret is wrong",
        ));
    }
    let now = now_secs();
    let ttl = shared.lifetimes.management_token.as_secs();
    let claims = json!({
        "scoped_userpool_id": shared.userpool_id,
        "sub": body.access_key_id,
        "iss": shared.base_url,
        "iat": now,
        "exp": now + ttl,
        "jti": crate::keys::random_hex(12),
    });
    let token = shared
        .key
        .sign(&claims)
        .map_err(|_| ApiErr::new(500, None, "cannot sign the token"))?;
    shared
        .store()
        .management_tokens
        .insert(token.clone(), now + ttl);
    Ok(json!({"access_token": token, "expires_in": ttl}))
}
