//! Management calls over any transport: the token fetch, refresh and replay
//! as a sans-IO state machine.
//!
//! [`ManagementSession`] keeps the management token between calls. For each
//! call, [`ManagementSession::call`] returns a [`ManagedCall`] and the first
//! request to send; the transport sends each request it is given and hands the
//! response back to [`ManagedCall::receive`], until it answers
//! [`Step::Done`]. On the way the machine:
//!
//! - asks for a token first when there is none or it is about to expire
//!   ([`ManagementToken::needs_refresh`]);
//! - adds the token to the call;
//! - when the service says the token was not accepted
//!   ([`token_rejected`]), drops it,
//!   fetches a new one and replays the call once; a second rejection is the
//!   call's answer (a typed error).
//!
//! It opens no socket and reads no clock: the caller passes `now`.
//!
//! ```
//! use std::time::SystemTime;
//! use bytes::Bytes;
//! use genauth_core::session::{ManagementSession, Step};
//! use genauth_core::{Body, Error, ManagementClientOptions, ManagementConfig};
//!
//! /// Any HTTP client: a blocking one, reqwest, curl, a test double...
//! fn send(req: http::Request<Body>) -> http::Response<Bytes> {
//!     # let _ = req; unimplemented!()
//! }
//!
//! fn get_user(session: &mut ManagementSession, id: &str) -> Result<genauth_core::types::UserDto, Error> {
//!     let op = genauth_core::ops::GetUser::new(id.to_owned());
//!     let (mut call, mut req) = session.call(&op, SystemTime::now())?;
//!     loop {
//!         match call.receive(send(req), SystemTime::now())? {
//!             Step::Send(next) => req = next,
//!             Step::Done(user) => return Ok(user),
//!         }
//!     }
//! }
//! # fn main() -> Result<(), Error> {
//! # let _session = ManagementSession::new(ManagementConfig::new(ManagementClientOptions::new("ak", "sk"))?);
//! # Ok(()) }
//! ```

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;

use crate::management_token::{token_rejected, ManagementToken};
use crate::{AuthKind, Body, Error, ManagementConfig, Operation};

/// The management token of one set of management options, kept between calls.
#[derive(Debug, Clone)]
pub struct ManagementSession {
    config: Arc<ManagementConfig>,
    token: Option<ManagementToken>,
}

impl ManagementSession {
    /// A session with no token yet: the first call fetches one.
    pub fn new(config: ManagementConfig) -> Self {
        Self::shared(Arc::new(config), None)
    }

    /// A session over a configuration shared with other sessions, starting
    /// with `token` (or none). An async transport serving many calls at once
    /// keeps one token for all of them, makes a short-lived session per call
    /// with it, and fetches a new token once for all callers with
    /// [`token_request`](Self::token_request) and
    /// [`receive_token`](Self::receive_token).
    pub fn shared(config: Arc<ManagementConfig>, token: Option<ManagementToken>) -> Self {
        Self { config, token }
    }

    /// The request that fetches a new management token.
    pub fn token_request(&self) -> Result<http::Request<Body>, Error> {
        self.config.token_request()
    }

    /// Reads the answer to [`token_request`](Self::token_request), received at
    /// `now`, and keeps the token for the next calls.
    ///
    /// Errors: the token endpoint's error envelope, an HTTP error, or a decode
    /// error when the answer holds no usable token; the session keeps no token
    /// then.
    pub fn receive_token(
        &mut self,
        response: http::Response<Bytes>,
        now: SystemTime,
    ) -> Result<&ManagementToken, Error> {
        self.token = None;
        let token = self
            .config
            .parse_token_response(response)?
            .with_issued_at(now);
        Ok(self.token.insert(token))
    }

    /// The options the session encodes requests with.
    pub fn config(&self) -> &ManagementConfig {
        &self.config
    }

    /// The current token, if one was fetched and not dropped since.
    pub fn token(&self) -> Option<&ManagementToken> {
        self.token.as_ref()
    }

    /// Uses `token` from now on (for example one shared by another process).
    pub fn set_token(&mut self, token: ManagementToken) {
        self.token = Some(token);
    }

    /// Starts the call of `op` at `now`: the machine and the first request to
    /// send (the token request when a token is needed first).
    pub fn call<O: Operation>(
        &mut self,
        op: &O,
        now: SystemTime,
    ) -> Result<(ManagedCall<'_, O>, http::Request<Body>), Error> {
        let request = self.config.request(op, None)?;
        let mut call = ManagedCall {
            session: self,
            request,
            state: State::Token { replay: false },
            _op: PhantomData,
        };
        let first = call.next_request(false, now)?;
        Ok((call, first))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// The token request is out.
    Token { replay: bool },
    /// The call itself is out.
    Call { replay: bool },
    /// The answer was handed back.
    Done,
}

/// What to do next in a [`ManagedCall`].
// The request is handed straight to the transport; boxing it would cost an
// allocation per request to save stack space the caller uses once.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Step<T> {
    /// Send this request and pass its response to [`ManagedCall::receive`].
    Send(http::Request<Body>),
    /// The call's decoded answer.
    Done(T),
}

/// One management call in progress: see the [module documentation](self).
#[derive(Debug)]
pub struct ManagedCall<'s, O> {
    session: &'s mut ManagementSession,
    /// The call without its token, kept for the replay.
    request: http::Request<Body>,
    state: State,
    _op: PhantomData<fn() -> O>,
}

impl<O: Operation> ManagedCall<'_, O> {
    /// The next request: the call with the current token, or the token
    /// request when there is no usable token.
    fn next_request(
        &mut self,
        replay: bool,
        now: SystemTime,
    ) -> Result<http::Request<Body>, Error> {
        if O::AUTH != AuthKind::ManagementToken {
            self.state = State::Call { replay: true };
            return Ok(copy(&self.request));
        }
        match &self.session.token {
            Some(t) if !t.needs_refresh(now) => {
                let mut req = copy(&self.request);
                t.apply(req.headers_mut());
                self.state = State::Call { replay };
                Ok(req)
            }
            _ => {
                self.state = State::Token { replay };
                self.session.config.token_request()
            }
        }
    }

    /// Whether the request handed out last is the token request: the call
    /// waits for a management token. A transport that shares one token
    /// between concurrent calls may, instead of sending that request, fetch
    /// the token once for all of them and hand it in with
    /// [`provide_token`](Self::provide_token).
    pub fn needs_token(&self) -> bool {
        matches!(self.state, State::Token { .. })
    }

    /// Goes on with `token`, obtained elsewhere, in place of the answer to
    /// the token request: the session keeps it and the call's request with
    /// it is returned, to be sent and its response passed to
    /// [`receive`](Self::receive).
    ///
    /// Errors: an invalid-input error when the call is not waiting for a
    /// token ([`needs_token`](Self::needs_token) is false).
    pub fn provide_token(&mut self, token: ManagementToken) -> Result<http::Request<Body>, Error> {
        let State::Token { replay } = self.state else {
            return Err(Error::invalid_input(
                "token",
                "the call is not waiting for a management token",
            ));
        };
        let mut req = copy(&self.request);
        token.apply(req.headers_mut());
        self.session.token = Some(token);
        self.state = State::Call { replay };
        Ok(req)
    }

    /// Takes the response to the request sent last, received at `now`.
    ///
    /// Errors: the token endpoint's error, the call's typed error (after at
    /// most one replay with a new token), or an invalid-input error when the
    /// call was already done.
    pub fn receive(
        &mut self,
        response: http::Response<Bytes>,
        now: SystemTime,
    ) -> Result<Step<O::Output>, Error> {
        match self.state {
            State::Token { replay } => {
                let token = self
                    .session
                    .config
                    .parse_token_response(response)?
                    .with_issued_at(now);
                let mut req = copy(&self.request);
                token.apply(req.headers_mut());
                self.session.token = Some(token);
                self.state = State::Call { replay };
                Ok(Step::Send(req))
            }
            State::Call { replay } => {
                if !replay && token_rejected(&response) {
                    self.session.token = None;
                    return self.next_request(true, now).map(Step::Send);
                }
                self.state = State::Done;
                crate::decode_response::<O>(response).map(Step::Done)
            }
            State::Done => Err(Error::invalid_input(
                "response",
                "the call already has its answer",
            )),
        }
    }
}

/// A copy of a request: method, URI, version, headers, body and the
/// operation facts in its extensions.
fn copy(req: &http::Request<Body>) -> http::Request<Body> {
    let mut out = http::Request::new(req.body().clone());
    *out.method_mut() = req.method().clone();
    *out.uri_mut() = req.uri().clone();
    *out.version_mut() = req.version();
    *out.headers_mut() = req.headers().clone();
    if let Some(info) = req.extensions().get::<crate::request::OperationInfo>() {
        out.extensions_mut().insert(*info);
    }
    out
}
