//! Token requests with options (resource indicators, RFC 8707), and the
//! description of a resource server protected by the app's tokens.

use genauth_core::protocol::token::parse_token_response;
use genauth_core::protocol::{ProtectedResource, TokenParams};
use genauth_core::types::protocol::TokenSet;
use genauth_core::{Error, SecretString};

use crate::AuthenticationClient;

impl AuthenticationClient {
    /// [`AuthenticationClient::get_access_token_by_code`] with
    /// [`TokenParams`], e.g. the resource indicators of the login URL, so that
    /// the access token is bound to those resource servers.
    pub async fn get_access_token_by_code_with(
        &self,
        code: &str,
        code_verifier: Option<&SecretString>,
        params: &TokenParams,
    ) -> Result<TokenSet, Error> {
        let req = self.config().get_access_token_by_code_request_with(
            code,
            None,
            code_verifier,
            params,
        )?;
        parse_token_response(self.send_http(req).await?)
    }

    /// [`AuthenticationClient::get_new_access_token_by_refresh_token`] with
    /// [`TokenParams`]: resource indicators pick which of the resources granted
    /// at login the new access token is for.
    pub async fn get_new_access_token_by_refresh_token_with(
        &self,
        refresh_token: &SecretString,
        params: &TokenParams,
    ) -> Result<TokenSet, Error> {
        let req = self
            .config()
            .get_new_access_token_by_refresh_token_request_with(refresh_token, params)?;
        parse_token_response(self.send_http(req).await?)
    }

    /// [`AuthenticationClient::get_access_token_by_client_credentials`] with
    /// [`TokenParams`]: resource indicators name the resource servers the
    /// machine-to-machine token is for.
    pub async fn get_access_token_by_client_credentials_with(
        &self,
        scope: &str,
        access_key: &str,
        access_secret: &SecretString,
        params: &TokenParams,
    ) -> Result<TokenSet, Error> {
        let req = self
            .config()
            .get_access_token_by_client_credentials_request_with(
                scope,
                access_key,
                access_secret,
                params,
            )?;
        parse_token_response(self.send_http(req).await?)
    }

    /// A resource server (RFC 9728) whose tokens this app's issuer
    /// (`{app_host}/oidc`) issues: the description the guard points clients at.
    pub fn protected_resource(
        &self,
        resource: impl Into<String>,
    ) -> Result<ProtectedResource, Error> {
        self.config().protected_resource(resource)
    }
}
