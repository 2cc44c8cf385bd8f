//! Publishing to the events feed: plain API calls, so they live here with the
//! clients; subscribing needs websockets and lives in the `genauth-events` crate.

use std::future::Future;

use genauth_core::events::{PublishResult, PutEvent, PutUserEvent};
use genauth_core::Error;
use serde::Serialize;

use crate::{AuthenticationClient, ManagementClient};

impl AuthenticationClient {
    /// `POST /api/v3/pub-userEvent`: publishes the event `event_code` as the
    /// signed-in end user, with `data` (any serializable value) as its payload.
    ///
    /// The payload goes out as a JSON *string* in `eventData`, as the service
    /// expects. The end user's access token must be set.
    pub fn put_event<T: Serialize + ?Sized>(
        &self,
        event_code: &str,
        data: &T,
    ) -> impl Future<Output = Result<PublishResult, Error>> + Send + '_ {
        // Serialize now, so the future does not borrow `data`.
        let op = PutUserEvent::new(event_code, data);
        async move { self.send(&op?).await }
    }
}

impl ManagementClient {
    /// `POST /api/v3/pub-event`: publishes the event `event_code` with `data`
    /// (any serializable value) as its payload.
    ///
    /// The payload goes out as a JSON *string* in `eventData`, as the service
    /// expects.
    pub fn put_event<T: Serialize + ?Sized>(
        &self,
        event_code: &str,
        data: &T,
    ) -> impl Future<Output = Result<PublishResult, Error>> + Send + '_ {
        let op = PutEvent::new(event_code, data);
        async move { self.send(&op?).await }
    }
}
