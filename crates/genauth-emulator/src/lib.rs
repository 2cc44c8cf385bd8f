//! A local GenAuth emulator: an in-memory V3 server on 127.0.0.1.
//!
//! It is a development double for tests, demos and offline work, **not** an
//! identity provider for production: state lives in memory, passwords are
//! kept in plain form, and only a part of the service is emulated.
//!
//! What it does:
//! - speaks the V3 wire format: envelopes with `statusCode`, `message`,
//!   `apiCode` and `requestId`, HTTP 200 with the outcome in the body;
//! - has state for sign-up, sign-in (password and passcode), profile,
//!   password change, email/phone binding, the management token, users,
//!   roles and groups;
//! - serves OIDC/OAuth (discovery, JWKS, authorization code with PKCE,
//!   refresh, client credentials, userinfo, introspection, revocation,
//!   end-session) and CAS v1/v2 ticket validation;
//! - serves the events feed: websocket subscriptions checked against its
//!   access keys and the access tokens it issued, fed by `pub-event` and
//!   `pub-userEvent` ([`RunningEmulator::websocket_url`],
//!   [`RunningEmulator::drop_event_sockets`]);
//! - answers every other operation from an [`OperationTable`] (validate the
//!   request, return a default of the output type);
//! - injects [`Fault`]s: latency, statuses, error envelopes, dropped
//!   connections, oversized and endless bodies.
//!
//! ```no_run
//! # async fn demo() -> Result<(), genauth_emulator::StartError> {
//! use genauth_emulator::{Emulator, TestUser};
//! let emu = Emulator::builder()
//!     .user(TestUser::email("ann@example.com").with_password("s3cret!"))
//!     .start()
//!     .await?;
//! println!("GenAuth emulator at {}", emu.url());
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod api;
mod brands;
mod cas;
pub mod config;
mod events;
pub mod fallback;
mod http_util;
mod keys;
mod oidc;
mod org_tree;
mod saml;
mod server;
mod signed;
mod store;
mod webhook;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::watch;

pub use config::{
    AccessKey, App, Directory, DirectoryUser, Fault, FaultAction, Lifetimes, Organization,
    TestUser, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, DEFAULT_APP_ID, DEFAULT_APP_SECRET,
    DEFAULT_REDIRECT_URI, DEFAULT_USERPOOL_ID,
};
pub use fallback::{EmptyTable, OperationTable, RegistryTable, StaticTable, TableEntry};
pub use webhook::Webhook;

/// Why the emulator did not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// The address could not be bound.
    Bind(std::io::Error),
    /// The RSA signing key could not be made.
    Key,
    /// The configuration is not usable (e.g. two users with one email).
    Config(String),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Bind(e) => write!(f, "cannot bind the emulator's address: {e}"),
            StartError::Key => f.write_str("cannot create the emulator's RSA key"),
            StartError::Config(why) => write!(f, "invalid emulator configuration: {why}"),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StartError::Bind(e) => Some(e),
            _ => None,
        }
    }
}

/// Entry point: `Emulator::builder()…start().await`.
#[derive(Debug, Clone, Copy)]
pub struct Emulator;

impl Emulator {
    /// A builder with the defaults: one app ([`DEFAULT_APP_ID`]), one access
    /// key ([`DEFAULT_ACCESS_KEY_ID`]) unless others are given, no users, the
    /// generated operation registry ([`RegistryTable`]) for operations without
    /// state, and an ephemeral port on 127.0.0.1.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }
}

/// Configures and starts an emulator.
pub struct EmulatorBuilder {
    addr: SocketAddr,
    userpool_id: String,
    users: Vec<TestUser>,
    organizations: Vec<Organization>,
    directory: Vec<DirectoryUser>,
    apps: Vec<App>,
    access_keys: Vec<AccessKey>,
    lifetimes: Lifetimes,
    faults: Vec<Fault>,
    auto_approve: Option<String>,
    table: Arc<dyn OperationTable>,
    table_only: bool,
    webhook: Option<Webhook>,
}

impl std::fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("addr", &self.addr)
            .field("userpool_id", &self.userpool_id)
            .field("users", &self.users)
            .field("organizations", &self.organizations)
            .field("apps", &self.apps)
            .field("access_keys", &self.access_keys)
            .field("lifetimes", &self.lifetimes)
            .field("faults", &self.faults)
            .field("auto_approve", &self.auto_approve)
            .field("table_only", &self.table_only)
            .finish_non_exhaustive()
    }
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            userpool_id: DEFAULT_USERPOOL_ID.to_owned(),
            users: Vec::new(),
            organizations: Vec::new(),
            directory: Vec::new(),
            apps: Vec::new(),
            access_keys: Vec::new(),
            lifetimes: Lifetimes::default(),
            faults: Vec::new(),
            auto_approve: None,
            table: Arc::new(RegistryTable),
            table_only: false,
            webhook: None,
        }
    }
}

impl EmulatorBuilder {
    /// Listens on `addr` instead of an ephemeral port on 127.0.0.1.
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }
    /// Sets the user pool id (the `scoped_userpool_id` of management tokens).
    pub fn userpool_id(mut self, id: impl Into<String>) -> Self {
        self.userpool_id = id.into();
        self
    }
    /// Adds a user that exists from the start.
    pub fn user(mut self, user: TestUser) -> Self {
        self.users.push(user);
        self
    }
    /// Adds an organization with members among the configured users.
    pub fn organization(mut self, org: Organization) -> Self {
        self.organizations.push(org);
        self
    }
    /// Adds an account of an LDAP or AD directory, for sign-in with
    /// `connection: LDAP` or `AD`.
    pub fn directory_user(mut self, user: DirectoryUser) -> Self {
        self.directory.push(user);
        self
    }
    /// Adds an app; when none is added, the default app is configured.
    pub fn app(mut self, app: App) -> Self {
        self.apps.push(app);
        self
    }
    /// Adds an access key pair; when none is added, the default pair is configured.
    pub fn access_key(mut self, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.access_keys
            .push(AccessKey::new(id.into(), secret.into()));
        self
    }
    /// Sets the token lifetimes.
    pub fn lifetimes(mut self, lifetimes: Lifetimes) -> Self {
        self.lifetimes = lifetimes;
        self
    }
    /// Injects a fault from the start.
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }
    /// `/oidc/auth` and `/cas-idp/{app}` log in the user with this email,
    /// username or phone without asking; otherwise they show a login form.
    pub fn auto_approve(mut self, account: impl Into<String>) -> Self {
        self.auto_approve = Some(account.into());
        self
    }
    /// Sets the table that answers operations without stateful behaviour.
    pub fn operations(mut self, table: impl OperationTable) -> Self {
        self.table = Arc::new(table);
        self
    }

    /// Answers every `/api/v3` operation from the operation table, even those
    /// with state (only the management token keeps its own endpoint). Useful
    /// to exercise every operation's wire format with synthetic arguments,
    /// which name users and roles that do not exist.
    pub fn table_only(mut self, yes: bool) -> Self {
        self.table_only = yes;
        self
    }

    /// Binds the address, makes the RSA key and starts serving on the current
    /// tokio runtime.
    pub async fn start(self) -> Result<RunningEmulator, StartError> {
        let listener = tokio::net::TcpListener::bind(self.addr)
            .await
            .map_err(StartError::Bind)?;
        let addr = listener.local_addr().map_err(StartError::Bind)?;
        let key = keys::KeyRing::generate().map_err(|_| StartError::Key)?;
        let mut apps = self.apps;
        if apps.is_empty() {
            apps.push(
                App::new(DEFAULT_APP_ID, DEFAULT_APP_SECRET).redirect_uri(DEFAULT_REDIRECT_URI),
            );
        }
        let mut keys_ = self.access_keys;
        if keys_.is_empty() {
            keys_.push(AccessKey::new(
                DEFAULT_ACCESS_KEY_ID,
                DEFAULT_ACCESS_KEY_SECRET,
            ));
        }
        let mut store = store::Store::default();
        for u in &self.users {
            store
                .add_test_user(u)
                .map_err(|e| StartError::Config(e.message))?;
        }
        for o in &self.organizations {
            store
                .add_organization(o)
                .map_err(|e| StartError::Config(e.message))?;
        }
        for f in self.faults {
            store.faults.push(store::FaultRec {
                remaining: f.times,
                fault: f,
            });
        }
        let webhook = self
            .webhook
            .map(|w| webhook::Deliverer::new(w, self.userpool_id.clone()));
        let shared = Arc::new_cyclic(|weak| Shared {
            webhook,
            hub: events::hub(weak.clone(), &keys_),
            base_url: format!("http://{addr}"),
            userpool_id: self.userpool_id,
            apps,
            directory: self.directory,
            access_keys: keys_,
            lifetimes: self.lifetimes,
            auto_approve: self.auto_approve,
            table: self.table,
            table_only: self.table_only,
            key,
            saml: saml::LazyIdp::default(),
            store: Mutex::new(store),
        });
        let (tx, rx) = watch::channel(false);
        tokio::spawn(server::serve(listener, shared.clone(), rx));
        Ok(RunningEmulator {
            addr,
            shared,
            shutdown: tx,
        })
    }
}

/// Everything the handlers share.
pub(crate) struct Shared {
    pub base_url: String,
    pub userpool_id: String,
    pub apps: Vec<App>,
    pub directory: Vec<DirectoryUser>,
    pub access_keys: Vec<AccessKey>,
    pub lifetimes: Lifetimes,
    pub auto_approve: Option<String>,
    pub table: Arc<dyn OperationTable>,
    pub table_only: bool,
    pub key: keys::KeyRing,
    pub saml: saml::LazyIdp,
    pub store: Mutex<store::Store>,
    pub hub: genauth_events::hub::EventHub,
    pub webhook: Option<webhook::Deliverer>,
}

impl Shared {
    pub fn store(&self) -> MutexGuard<'_, store::Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }
    pub fn app(&self, id: &str) -> Option<&App> {
        self.apps.iter().find(|a| a.id == id)
    }
    pub fn issuer(&self) -> String {
        format!("{}/oidc", self.base_url)
    }
}

/// A running emulator. Dropping it stops the server.
pub struct RunningEmulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
}

impl std::fmt::Debug for RunningEmulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningEmulator")
            .field("url", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

impl RunningEmulator {
    /// The base URL, e.g. `http://127.0.0.1:41234`: use it as the management
    /// client's host and as the app host of the authentication client.
    pub fn url(&self) -> &str {
        &self.shared.base_url
    }
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// The user pool id.
    pub fn userpool_id(&self) -> &str {
        &self.shared.userpool_id
    }
    /// The OIDC issuer, `{url}/oidc`.
    pub fn issuer(&self) -> String {
        self.shared.issuer()
    }
    /// The SAML IdP's entity id and single sign-on URL for an app,
    /// `{url}/api/v2/saml-idp/{app_id}`; its metadata is at `.../metadata`.
    pub fn saml_idp_url(&self, app_id: &str) -> String {
        saml::sso_url(&self.shared.base_url, app_id)
    }
    /// The SAML IdP's signing certificate (PEM). It is made on first use
    /// (this call or a metadata request) and kept while the emulator runs;
    /// `None` if the key or certificate could not be made.
    pub fn saml_certificate_pem(&self) -> Option<&str> {
        self.shared.saml.get().map(|idp| idp.certificate_pem())
    }
    /// The passcode last sent by SMS or email to `phone_or_email` and not used yet.
    pub fn last_passcode(&self, phone_or_email: &str) -> Option<String> {
        self.shared.store().passcodes.get(phone_or_email).cloned()
    }
    /// The id of the user with this email, phone or username.
    pub fn user_id(&self, account: &str) -> Option<String> {
        self.shared
            .store()
            .find_by_account(account)
            .map(|u| u.id().to_owned())
    }
    /// How many users exist.
    pub fn user_count(&self) -> usize {
        self.shared.store().users.len()
    }
    /// How many requests for `path` were received (faulted ones included).
    pub fn request_count(&self, path: &str) -> usize {
        self.shared.store().counts.get(path).copied().unwrap_or(0)
    }
    /// Injects a fault into later requests.
    pub fn add_fault(&self, fault: Fault) {
        self.shared.store().faults.push(store::FaultRec {
            remaining: fault.times,
            fault,
        });
    }
    /// Removes every injected fault.
    pub fn clear_faults(&self) {
        self.shared.store().faults.clear();
    }
    /// The key set (`/oidc/.well-known/jwks.json`) as JSON.
    pub fn jwks(&self) -> serde_json::Value {
        self.shared.key.jwks()
    }
    /// The id (`kid`) of the key new tokens are signed with.
    pub fn current_kid(&self) -> String {
        self.shared.key.current_kid()
    }
    /// Rotates the signing key: new tokens are signed under a new `kid`; the
    /// old key stays in the key set for a grace period as long as the longer of
    /// the access-token and ID-token lifetimes (so the tokens it signed keep
    /// verifying until they expire), then is dropped. Returns the new `kid`.
    pub fn rotate_keys(&self) -> Result<String, StartError> {
        let lt = self.shared.lifetimes;
        self.rotate_keys_with_grace(lt.access_token.max(lt.id_token))
    }
    /// Rotates the signing key, keeping the old one published for `grace`
    /// (`Duration::ZERO` drops it at once). Returns the new `kid`.
    pub fn rotate_keys_with_grace(&self, grace: std::time::Duration) -> Result<String, StartError> {
        self.shared.key.rotate(grace).map_err(|_| StartError::Key)
    }
    /// The events feed's address, e.g. `ws://127.0.0.1:41234`: use it as the
    /// `websocket_host` of either client.
    pub fn websocket_url(&self) -> String {
        format!("ws://{}", self.addr)
    }
    /// Drops every events-feed socket at once, without a closing handshake,
    /// as a network failure would; subscribers reconnect by themselves.
    /// Returns how many sockets there were.
    pub fn drop_event_sockets(&self) -> usize {
        self.shared.hub.disconnect_all()
    }
    /// How many events-feed sockets are subscribed to `event_code` now.
    pub fn event_subscribers(&self, event_code: &str) -> usize {
        self.shared.hub.subscriber_count(event_code)
    }
    /// How many events-feed subscriptions were accepted since the start
    /// (reconnects count again).
    pub fn event_connections_accepted(&self) -> u64 {
        self.shared.hub.connections_accepted()
    }
    /// Stops accepting connections and closes the open ones, events-feed
    /// sockets included.
    pub fn shutdown(&self) {
        let _ = self.shutdown.send(true);
        self.shared.hub.disconnect_all();
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        self.shutdown();
    }
}
