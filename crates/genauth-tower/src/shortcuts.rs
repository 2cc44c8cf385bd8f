//! Sign-in and sign-up shortcuts over `sign_in_by_credentials` (`POST /api/v3/signin`)
//! and `sign_up` (`POST /api/v3/signup`), named as in the official Python SDK.
//!
//! Each sign-in shortcut fills the credential payload and, when the app
//! authenticates with `client_secret_post`, the `client_id` and `client_secret`
//! body fields. With `client_secret_basic` the core sends the `Basic` header
//! instead (the operation is `app-basic-or-token`), and with `none` no app
//! credential is sent. Options (`SignInOptionsDto`, sign-up profile and
//! options) are set on the returned [`Call`](crate::Call) with `.with(...)`:
//!
//! ```no_run
//! # async fn f(client: genauth_tower::AuthenticationClient) -> Result<(), genauth_tower::Error> {
//! use genauth_tower::core::types::SignInOptionsDto;
//! let tokens = client
//!     .sign_in_by_email_password("ann@example.com", "password")
//!     .with(|op| {
//!         op.0.options = Some(SignInOptionsDto {
//!             scope: Some("openid profile offline_access".into()),
//!             ..Default::default()
//!         })
//!     })
//!     .await?;
//! # Ok(()) }
//! ```

use genauth_core::ops::{SignInByCredentials, SignUp};
use genauth_core::types::{
    SignInByAdPayloadDto, SignInByLdapPayloadDto, SignInByPassCodePayloadDto,
    SignInByPasswordPayloadDto, SignUpByPassCodeDto, SignUpByPasswordDto, SignUpDto,
    SignUpDtoConnection, SigninByCredentialsDtoConnection,
};
use genauth_core::SecretString;

use crate::{AuthenticationClient, Call};

impl AuthenticationClient {
    fn password_sign_in(
        &self,
        payload: SignInByPasswordPayloadDto,
    ) -> Call<'_, Self, SignInByCredentials> {
        let mut body = self
            .config()
            .sign_in_body(SigninByCredentialsDtoConnection::Password);
        body.password_payload = Some(payload);
        Call::new(self, SignInByCredentials(body))
    }

    /// Signs in with an email address and password.
    pub fn sign_in_by_email_password(
        &self,
        email: impl Into<String>,
        password: impl Into<SecretString>,
    ) -> Call<'_, Self, SignInByCredentials> {
        self.password_sign_in({
            let mut dto = SignInByPasswordPayloadDto::new(password.into());
            dto.email = Some(email.into());
            dto
        })
    }

    /// Signs in with a phone number and password.
    pub fn sign_in_by_phone_password(
        &self,
        phone: impl Into<String>,
        password: impl Into<SecretString>,
    ) -> Call<'_, Self, SignInByCredentials> {
        self.password_sign_in({
            let mut dto = SignInByPasswordPayloadDto::new(password.into());
            dto.phone = Some(phone.into());
            dto
        })
    }

    /// Signs in with a username and password.
    pub fn sign_in_by_username_password(
        &self,
        username: impl Into<String>,
        password: impl Into<SecretString>,
    ) -> Call<'_, Self, SignInByCredentials> {
        self.password_sign_in({
            let mut dto = SignInByPasswordPayloadDto::new(password.into());
            dto.username = Some(username.into());
            dto
        })
    }

    /// Signs in with any account identifier (username, email or phone) and password.
    pub fn sign_in_by_account_password(
        &self,
        account: impl Into<String>,
        password: impl Into<SecretString>,
    ) -> Call<'_, Self, SignInByCredentials> {
        self.password_sign_in({
            let mut dto = SignInByPasswordPayloadDto::new(password.into());
            dto.account = Some(account.into());
            dto
        })
    }

    /// Signs in with an email address and the one-time passcode sent to it.
    pub fn sign_in_by_email_passcode(
        &self,
        email: impl Into<String>,
        pass_code: impl Into<SecretString>,
    ) -> Call<'_, Self, SignInByCredentials> {
        let mut body = self
            .config()
            .sign_in_body(SigninByCredentialsDtoConnection::Passcode);
        body.pass_code_payload = Some({
            let mut dto = SignInByPassCodePayloadDto::new(pass_code.into());
            dto.email = Some(email.into());
            dto
        });
        Call::new(self, SignInByCredentials(body))
    }

    /// Signs in with a phone number and the one-time passcode sent to it;
    /// `phone_country_code` is e.g. `+86`.
    pub fn sign_in_by_phone_passcode(
        &self,
        phone: impl Into<String>,
        pass_code: impl Into<SecretString>,
        phone_country_code: Option<&str>,
    ) -> Call<'_, Self, SignInByCredentials> {
        let mut body = self
            .config()
            .sign_in_body(SigninByCredentialsDtoConnection::Passcode);
        body.pass_code_payload = Some({
            let mut dto = SignInByPassCodePayloadDto::new(pass_code.into());
            dto.phone = Some(phone.into());
            dto.phone_country_code = phone_country_code.map(str::to_owned);
            dto
        });
        Call::new(self, SignInByCredentials(body))
    }

    /// Signs in with an LDAP account.
    pub fn sign_in_by_ldap(
        &self,
        s_am_account_name: impl Into<String>,
        password: impl Into<SecretString>,
    ) -> Call<'_, Self, SignInByCredentials> {
        let mut body = self
            .config()
            .sign_in_body(SigninByCredentialsDtoConnection::Ldap);
        body.ldap_payload = Some(SignInByLdapPayloadDto {
            s_am_account_name: s_am_account_name.into(),
            password: password.into(),
        });
        Call::new(self, SignInByCredentials(body))
    }

    /// Signs in with an Active Directory account.
    pub fn sign_in_by_ad(
        &self,
        s_am_account_name: impl Into<String>,
        password: impl Into<SecretString>,
    ) -> Call<'_, Self, SignInByCredentials> {
        let mut body = self
            .config()
            .sign_in_body(SigninByCredentialsDtoConnection::Ad);
        body.ad_payload = Some(SignInByAdPayloadDto {
            s_am_account_name: s_am_account_name.into(),
            password: password.into(),
        });
        Call::new(self, SignInByCredentials(body))
    }

    fn sign_up_body(connection: SignUpDtoConnection) -> SignUpDto {
        SignUpDto::new(connection)
    }

    /// Registers a user with an email address and password.
    pub fn sign_up_by_email_password(
        &self,
        email: impl Into<String>,
        password: impl Into<SecretString>,
    ) -> Call<'_, Self, SignUp> {
        let mut body = Self::sign_up_body(SignUpDtoConnection::Password);
        body.password_payload = Some({
            let mut dto = SignUpByPasswordDto::new(password.into());
            dto.email = Some(email.into());
            dto
        });
        Call::new(self, SignUp(body))
    }

    /// Registers a user with a username and password.
    pub fn sign_up_by_username_password(
        &self,
        username: impl Into<String>,
        password: impl Into<SecretString>,
    ) -> Call<'_, Self, SignUp> {
        let mut body = Self::sign_up_body(SignUpDtoConnection::Password);
        body.password_payload = Some({
            let mut dto = SignUpByPasswordDto::new(password.into());
            dto.username = Some(username.into());
            dto
        });
        Call::new(self, SignUp(body))
    }

    /// Registers a user with an email address and the passcode sent to it.
    pub fn sign_up_by_email_passcode(
        &self,
        email: impl Into<String>,
        pass_code: impl Into<SecretString>,
    ) -> Call<'_, Self, SignUp> {
        let mut body = Self::sign_up_body(SignUpDtoConnection::Passcode);
        body.pass_code_payload = Some({
            let mut dto = SignUpByPassCodeDto::new(pass_code.into());
            dto.email = Some(email.into());
            dto
        });
        Call::new(self, SignUp(body))
    }

    /// Registers a user with a phone number and the passcode sent to it.
    pub fn sign_up_by_phone_passcode(
        &self,
        phone: impl Into<String>,
        pass_code: impl Into<SecretString>,
        phone_country_code: Option<&str>,
    ) -> Call<'_, Self, SignUp> {
        let mut body = Self::sign_up_body(SignUpDtoConnection::Passcode);
        body.pass_code_payload = Some({
            let mut dto = SignUpByPassCodeDto::new(pass_code.into());
            dto.phone = Some(phone.into());
            dto.phone_country_code = phone_country_code.map(str::to_owned);
            dto
        });
        Call::new(self, SignUp(body))
    }
}
