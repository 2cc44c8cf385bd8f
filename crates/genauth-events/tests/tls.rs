//! `wss://` end to end: a rustls server on 127.0.0.1 with a test certificate,
//! refused with the default roots, accepted once its CA is trusted through
//! `set_tls_config`.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use genauth_core::ManagementClientOptions;
use genauth_events::hub::EventHub;
use genauth_events::{set_tls_config, EventsError, ReconnectPolicy, SubscribeExt as _};
use genauth_tower::ManagementClient;
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::json;
use tokio::net::TcpListener;

const CA: &[u8] = include_bytes!("fixtures/ca.der");
const LEAF: &[u8] = include_bytes!("fixtures/leaf.der");
const LEAF_KEY: &[u8] = include_bytes!("fixtures/leaf.key.der");

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

async fn tls_hub(hub: EventHub) -> std::net::SocketAddr {
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(LEAF.to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(LEAF_KEY.to_vec())),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let hub = hub.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let svc = hyper::service::service_fn(move |req| {
                    let hub = hub.clone();
                    async move { Ok::<_, std::convert::Infallible>(hub.handle(req).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), svc)
                    .with_upgrades()
                    .await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn wss_with_rustls_end_to_end() {
    let hub = EventHub::new().with_access_key("ak-tls", "sk-tls");
    let addr = tls_hub(hub.clone()).await;
    let client = ManagementClient::new(
        ManagementClientOptions::new("ak-tls", "sk-tls").websocket_host(format!("wss://{addr}")),
    )
    .unwrap();

    // The default roots do not know the test CA.
    let mut s = client.subscribe_with("secure", ReconnectPolicy::never());
    match tokio::time::timeout(Duration::from_secs(5), s.next())
        .await
        .unwrap()
    {
        Some(Err(EventsError::GaveUp { last, .. })) => {
            assert!(matches!(*last, EventsError::Tls(_)), "{last:?}");
            assert!(last.to_string().contains("TLS"), "{last}");
        }
        other => panic!("expected a TLS failure, got {other:?}"),
    }

    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(CA.to_vec())).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    set_tls_config(Some(Arc::new(config)));

    let mut s = client.subscribe_with("secure", ReconnectPolicy::never());
    assert!(s.wait_connected().await);
    assert_eq!(hub.publish("secure", "{\"over\":\"tls\"}"), 1);
    let ev = tokio::time::timeout(Duration::from_secs(5), s.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(ev.payload, json!({"over": "tls"}));
    set_tls_config(None);
}
