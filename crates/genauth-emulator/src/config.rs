//! What the emulator starts with: users, apps, access keys, lifetimes, faults.

use std::time::Duration;

use genauth_core::TokenEndpointAuthMethod;
use genauth_types::SecretString;

/// The user pool id used when none is configured.
pub const DEFAULT_USERPOOL_ID: &str = "65e0c0ffee00000000000001";
/// The app id used when no app is configured.
pub const DEFAULT_APP_ID: &str = "65e0c0ffee00000000000a01";
/// The app secret of the default app.
pub const DEFAULT_APP_SECRET: &str = "emulator-app-secret";
/// The redirect URI of the default app.
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1/callback";
/// The access key id configured when none is given.
pub const DEFAULT_ACCESS_KEY_ID: &str = "emulator-access-key-id";
/// The access key secret of the default access key.
pub const DEFAULT_ACCESS_KEY_SECRET: &str = "emulator-access-key-secret";

/// A user that exists when the emulator starts.
///
/// At least one of email, username or phone should be set, so that the user
/// can sign in. The password is kept in memory only and never printed.
#[derive(Clone, Default)]
pub struct TestUser {
    pub(crate) email: Option<String>,
    pub(crate) username: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) password: Option<SecretString>,
}

impl std::fmt::Debug for TestUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestUser")
            .field("email", &self.email)
            .field("username", &self.username)
            .field("phone", &self.phone)
            .field("name", &self.name)
            .field("has_password", &self.password.is_some())
            .finish()
    }
}

impl TestUser {
    /// A user with this email address.
    pub fn email(email: impl Into<String>) -> Self {
        Self {
            email: Some(email.into()),
            ..Self::default()
        }
    }
    /// A user with this username.
    pub fn username(username: impl Into<String>) -> Self {
        Self {
            username: Some(username.into()),
            ..Self::default()
        }
    }
    /// Also sets the username.
    pub fn with_username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }
    /// Also sets the email address.
    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }
    /// Also sets the phone number.
    pub fn with_phone(mut self, phone: impl Into<String>) -> Self {
        self.phone = Some(phone.into());
        self
    }
    /// Sets the display name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// Sets the password.
    pub fn with_password(mut self, password: impl Into<SecretString>) -> Self {
        self.password = Some(password.into());
        self
    }
}

/// An application (OIDC/OAuth client) known to the emulator.
#[derive(Debug, Clone)]
pub struct App {
    pub(crate) id: String,
    pub(crate) secret: Option<SecretString>,
    pub(crate) redirect_uris: Vec<String>,
    pub(crate) post_logout_redirect_uris: Vec<String>,
    pub(crate) auth_method: TokenEndpointAuthMethod,
    pub(crate) resources: Vec<String>,
}

impl App {
    /// An app with this id and secret, authenticating with `client_secret_post`
    /// or `client_secret_basic` at the token endpoint.
    pub fn new(id: impl Into<String>, secret: impl Into<SecretString>) -> Self {
        Self {
            id: id.into(),
            secret: Some(secret.into()),
            redirect_uris: Vec::new(),
            post_logout_redirect_uris: Vec::new(),
            auth_method: TokenEndpointAuthMethod::ClientSecretPost,
            resources: Vec::new(),
        }
    }
    /// A public app (token endpoint auth method `none`): no secret, PKCE required.
    pub fn public(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            secret: None,
            redirect_uris: Vec::new(),
            post_logout_redirect_uris: Vec::new(),
            auth_method: TokenEndpointAuthMethod::None,
            resources: Vec::new(),
        }
    }
    /// Adds an allowed redirect URI (also allowed after logout).
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uris.push(uri.into());
        self
    }
    /// Adds a URI `/oidc/session/end` may redirect to after logout (redirect
    /// URIs are allowed there too).
    pub fn post_logout_redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.post_logout_redirect_uris.push(uri.into());
        self
    }
    /// Sets how the app authenticates at the token endpoint. With
    /// `client_secret_post` or `client_secret_basic` the emulator accepts the
    /// secret either way; with `none` it asks for no secret.
    pub fn token_endpoint_auth_method(mut self, method: TokenEndpointAuthMethod) -> Self {
        self.auth_method = method;
        self
    }
    /// Adds a resource server (its URI) the app may ask tokens for with the
    /// `resource` parameter (RFC 8707): such an access token's `aud` is the
    /// resource instead of the app id. A `resource` the app did not register
    /// is refused with `invalid_target`.
    pub fn resource(mut self, uri: impl Into<String>) -> Self {
        self.resources.push(uri.into());
        self
    }
    /// The app id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// Which directory a [`DirectoryUser`] is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Directory {
    /// An LDAP server (`connection: LDAP`).
    Ldap,
    /// Active Directory (`connection: AD`).
    Ad,
}

/// An account of a configured LDAP or AD directory: sign-in with
/// `connection: LDAP` or `AD` checks its password; the first sign-in creates
/// the user, with the account name as username.
#[derive(Clone)]
pub struct DirectoryUser {
    pub(crate) kind: Directory,
    pub(crate) account: String,
    pub(crate) password: SecretString,
    pub(crate) email: Option<String>,
}

impl std::fmt::Debug for DirectoryUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectoryUser")
            .field("kind", &self.kind)
            .field("account", &self.account)
            .field("password", &"<redacted>")
            .field("email", &self.email)
            .finish()
    }
}

impl DirectoryUser {
    /// An LDAP account (its `sAMAccountName`) and password.
    pub fn ldap(account: impl Into<String>, password: impl Into<SecretString>) -> Self {
        Self {
            kind: Directory::Ldap,
            account: account.into(),
            password: password.into(),
            email: None,
        }
    }
    /// An Active Directory account (its `sAMAccountName`) and password.
    pub fn ad(account: impl Into<String>, password: impl Into<SecretString>) -> Self {
        Self {
            kind: Directory::Ad,
            ..Self::ldap(account, password)
        }
    }
    /// The email the user gets on the first sign-in.
    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }
}

/// An organization that exists from the start, with its members (given by
/// email, phone or username of configured users).
#[derive(Debug, Clone)]
pub struct Organization {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) members: Vec<String>,
}

impl Organization {
    /// An organization with this code and name.
    pub fn new(code: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            name: name.into(),
            members: Vec::new(),
        }
    }
    /// Adds the configured user with this email, phone or username as a member.
    pub fn member(mut self, account: impl Into<String>) -> Self {
        self.members.push(account.into());
        self
    }
}

/// An access key pair that may ask for a management token.
#[derive(Debug, Clone)]
pub struct AccessKey {
    pub(crate) id: String,
    pub(crate) secret: SecretString,
}

impl AccessKey {
    /// A key pair.
    pub fn new(id: impl Into<String>, secret: impl Into<SecretString>) -> Self {
        Self {
            id: id.into(),
            secret: secret.into(),
        }
    }
}

/// How long the tokens the emulator issues live.
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    /// User access tokens (default 1 hour).
    pub access_token: Duration,
    /// ID tokens (default 1 hour).
    pub id_token: Duration,
    /// Refresh tokens (default 30 days).
    pub refresh_token: Duration,
    /// Management tokens (default 2 hours).
    pub management_token: Duration,
    /// Authorization codes and CAS tickets (default 10 minutes).
    pub code: Duration,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Self {
            access_token: Duration::from_secs(3600),
            id_token: Duration::from_secs(3600),
            refresh_token: Duration::from_secs(30 * 24 * 3600),
            management_token: Duration::from_secs(7200),
            code: Duration::from_secs(600),
        }
    }
}

/// What an injected fault does to a matching request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultAction {
    /// Only the added latency; the request is then served normally.
    None,
    /// Answer with this HTTP status and a short plain-text body.
    Status(u16),
    /// Answer HTTP 200 with a GenAuth error envelope.
    ApiError {
        /// The envelope's `statusCode`.
        status_code: i64,
        /// The envelope's `apiCode`, when set.
        api_code: Option<i64>,
        /// The envelope's `message`.
        message: String,
    },
    /// Close the connection without answering.
    Drop,
    /// Answer HTTP 200 with a JSON body of this many bytes.
    Oversized(usize),
    /// Answer HTTP 200 with a body that never ends.
    Endless,
}

/// A fault injected into matching requests, for testing retries, timeouts and
/// body limits.
///
/// ```
/// use std::time::Duration;
/// use genauth_emulator::Fault;
/// // The first two calls to list-users fail with HTTP 503.
/// let f = Fault::on("/api/v3/list-users").status(503).times(2);
/// // Every call is 50 ms slower.
/// let g = Fault::all().latency(Duration::from_millis(50));
/// # let _ = (f, g);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub(crate) path: Option<String>,
    pub(crate) latency: Duration,
    pub(crate) action: FaultAction,
    pub(crate) times: Option<usize>,
}

impl Fault {
    /// A fault for requests whose path is `path` (a trailing `*` matches any
    /// path with that prefix).
    pub fn on(path: impl Into<String>) -> Self {
        Self {
            path: Some(path.into()),
            latency: Duration::ZERO,
            action: FaultAction::None,
            times: None,
        }
    }
    /// A fault for every request.
    pub fn all() -> Self {
        Self {
            path: None,
            latency: Duration::ZERO,
            action: FaultAction::None,
            times: None,
        }
    }
    /// Waits this long before answering.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }
    /// Answers with this HTTP status.
    pub fn status(mut self, status: u16) -> Self {
        self.action = FaultAction::Status(status);
        self
    }
    /// Answers HTTP 200 with an error envelope.
    pub fn api_error(
        mut self,
        status_code: i64,
        api_code: Option<i64>,
        message: impl Into<String>,
    ) -> Self {
        self.action = FaultAction::ApiError {
            status_code,
            api_code,
            message: message.into(),
        };
        self
    }
    /// Closes the connection without an answer.
    pub fn drop_connection(mut self) -> Self {
        self.action = FaultAction::Drop;
        self
    }
    /// Answers with a body of `bytes` bytes.
    pub fn oversized(mut self, bytes: usize) -> Self {
        self.action = FaultAction::Oversized(bytes);
        self
    }
    /// Answers with a body that never ends.
    pub fn endless(mut self) -> Self {
        self.action = FaultAction::Endless;
        self
    }
    /// Applies only to the next `n` matching requests (default: all of them).
    pub fn times(mut self, n: usize) -> Self {
        self.times = Some(n);
        self
    }

    pub(crate) fn matches(&self, path: &str) -> bool {
        match &self.path {
            None => true,
            Some(p) => match p.strip_suffix('*') {
                Some(prefix) => path.starts_with(prefix),
                None => p == path,
            },
        }
    }
}
