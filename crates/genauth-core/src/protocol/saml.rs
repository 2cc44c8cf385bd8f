//! SAML 2.0: the app as an identity provider.

use crate::AuthenticationConfig;

use super::path_segment;

impl AuthenticationConfig {
    /// The IdP-initiated login URL: `{app_host}/api/v2/saml-idp/{app_id}`.
    pub fn saml_login_url(&self) -> String {
        format!(
            "{}/api/v2/saml-idp/{}",
            self.base,
            path_segment(&self.options.app_id)
        )
    }

    /// The IdP metadata document: `{app_host}/api/v2/saml-idp/{app_id}/metadata`.
    /// Give it to the service provider to set up trust.
    pub fn saml_metadata_url(&self) -> String {
        format!("{}/metadata", self.saml_login_url())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::config;
    use crate::Protocol;

    #[test]
    fn urls() {
        let c = config(Protocol::Saml);
        assert_eq!(
            c.saml_login_url(),
            "https://demo.genauth.ai/api/v2/saml-idp/app%201"
        );
        assert_eq!(
            c.saml_metadata_url(),
            "https://demo.genauth.ai/api/v2/saml-idp/app%201/metadata"
        );
    }
}
