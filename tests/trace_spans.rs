//! Tracing: one span per call with safe fields. In a binary of its own, because
//! a scoped subscriber in a binary whose other tests run on other threads can
//! miss spans (callsite interest is global).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::support::stack::*;
use crate::support::{json_response, management_jwt};
use genauth::layers::RetryPolicy;
use genauth::ClientBuilder;
use serde_json::json;

type FieldMap = BTreeMap<String, String>;

#[derive(Default)]
struct Captured {
    spans: Mutex<BTreeMap<u64, (String, FieldMap)>>,
    events: Mutex<Vec<BTreeMap<String, String>>>,
    next: AtomicU64,
}

#[derive(Clone, Default)]
struct Capture(Arc<Captured>);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl tracing::Subscriber for Capture {
    fn register_callsite(
        &self,
        _: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        tracing::subscriber::Interest::always()
    }
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let id = self.0.next.fetch_add(1, Ordering::SeqCst) + 1;
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        self.0
            .spans
            .lock()
            .unwrap()
            .insert(id, (attrs.metadata().name().to_owned(), fields));
        tracing::span::Id::from_u64(id)
    }
    fn record(&self, span: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        if let Some((_, fields)) = self.0.spans.lock().unwrap().get_mut(&span.into_u64()) {
            values.record(&mut Fields(fields));
        }
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        self.0.events.lock().unwrap().push(fields);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn each_call_has_one_span_with_safe_fields() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    // Other tests in this binary may have registered the span's callsite on
    // another thread before this scoped subscriber existed; recompute interest.
    tracing::callsite::rebuild_interest_cache();

    let n = Arc::new(AtomicUsize::new(0));
    let c = n.clone();
    let svc = mock(move |req| {
        if req.uri().path() == "/api/v3/get-management-token" {
            return json_response(200, token_body("pool-9", 7200));
        }
        if c.fetch_add(1, Ordering::SeqCst) == 0 {
            json_response(503, json!({"statusCode":503,"message":"busy"}))
        } else {
            json_response(
                200,
                json!({"statusCode":200,"apiCode":0,"requestId":"req-abc","data":{"userId":"u1"}}),
            )
        }
    });
    let client = ClientBuilder::new()
        .retry(fast_retries())
        .management_with_service(mgmt_options("https://api.example"), svc)
        .unwrap();
    client.get_user("u1").await.unwrap();

    let spans = capture.0.spans.lock().unwrap().clone();
    let calls: Vec<_> = spans
        .values()
        .filter(|(name, _)| name == genauth::layers::SPAN_NAME)
        .collect();
    assert_eq!(calls.len(), 1, "{spans:?}");
    let fields = &calls[0].1;
    let field = |k: &str| fields.get(k).map(String::as_str);
    assert_eq!(field("operation"), Some("get_user"));
    assert_eq!(field("method"), Some("GET"));
    assert_eq!(field("path"), Some("/api/v3/get-user"));
    assert_eq!(field("status"), Some("200"));
    assert_eq!(field("status_code"), Some("200"));
    assert_eq!(field("api_code"), Some("0"));
    assert_eq!(field("request_id"), Some("req-abc"));
    assert_eq!(field("attempts"), Some("2"));
    assert!(field("elapsed_ms").is_some());
    assert_eq!(field("error"), None);

    // A failed call records the kind of error.
    let url = refused_url().await;
    let failing = ClientBuilder::new()
        .retry(RetryPolicy::never())
        .authentication(auth_options(&url).access_token("user-token-secret-1"))
        .unwrap();
    failing.get_alipay_auth_info("c").await.unwrap_err();
    let spans = capture.0.spans.lock().unwrap().clone();
    let failed = spans
        .values()
        .find(|(_, f)| f.get("operation").map(String::as_str) == Some("get_alipay_auth_info"))
        .expect("a span for the failed call");
    assert_eq!(failed.1.get("error").map(String::as_str), Some("transport"));

    let dump = format!("{spans:?}{:?}", capture.0.events.lock().unwrap());
    for secret in [
        "sk-secret-1",
        management_jwt("pool-9").as_str(),
        "user-token-secret-1",
        "app-secret-value",
        "userId=u1",
    ] {
        assert!(
            !dump.contains(secret),
            "{secret} leaked into traces: {dump}"
        );
    }
}
