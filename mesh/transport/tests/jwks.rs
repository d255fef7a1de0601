//! Token verification against a real (fake) auth-service over mTLS: a burst of unknown key ids
//! costs one fetch, a hanging auth-service never hangs verification, and known keys keep
//! verifying while auth-service is down.

use aval_proto::keys::v1::{
    GetJwksRequest, GetJwksResponse, Jwk,
    token_keys_server::{TokenKeys, TokenKeysServer},
};
use aval_testkit::{TestCerts, TestResult};
use aval_transport::{
    authz::AccessPolicy,
    client::{PeerAddress, connect_lazy},
    identity::MeshIdentity,
    jwks::JwksCache,
    jwt::{self, AUDIENCE, Claims, ISSUER, TokenError},
    server::{MeshServer, ServerSettings},
    shutdown::CancellationToken,
};
use ring::{
    rand::SystemRandom,
    signature::{Ed25519KeyPair, KeyPair},
};
use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};
use tonic::{Request, Response, Status, service::Routes};

/// How the fake auth-service answers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Answer,
    Fail,
    Hang,
}

#[derive(Clone)]
struct FakeAuth {
    public_key: Vec<u8>,
    mode: Arc<Mutex<Mode>>,
    fetches: Arc<AtomicUsize>,
}

#[tonic::async_trait]
impl TokenKeys for FakeAuth {
    async fn get_jwks(
        &self,
        _: Request<GetJwksRequest>,
    ) -> Result<Response<GetJwksResponse>, Status> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        let mode = *self.mode.lock().map_err(|_| Status::internal("poisoned"))?;
        match mode {
            Mode::Answer => Ok(Response::new(GetJwksResponse {
                keys: vec![Jwk {
                    kty: "OKP".into(),
                    crv: "Ed25519".into(),
                    kid: "k1".into(),
                    x: jwt::encode_key(&self.public_key),
                    alg: "EdDSA".into(),
                    r#use: "sig".into(),
                }],
            })),
            Mode::Fail => Err(Status::unavailable("auth-service is down")),
            Mode::Hang => std::future::pending().await,
        }
    }
}

struct Fixture {
    key: Ed25519KeyPair,
    auth: FakeAuth,
    cache: Arc<JwksCache>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Fixture {
    async fn start(mode: Mode) -> anyhow::Result<Self> {
        let certs = TestCerts::generate()?;
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map_err(|_| anyhow::anyhow!("no key"))?;
        let key = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(|_| anyhow::anyhow!("key"))?;
        let auth = FakeAuth {
            public_key: key.public_key().as_ref().to_vec(),
            mode: Arc::new(Mutex::new(mode)),
            fetches: Arc::new(AtomicUsize::new(0)),
        };
        let policy = AccessPolicy::new().allow("/aval.keys.v1.TokenKeys/", &[MeshIdentity::SCORE]);
        let server = MeshServer::bind(
            ServerSettings::ephemeral(),
            certs.tls(MeshIdentity::AUTH)?,
            policy,
        )
        .await?;
        let address = PeerAddress::new(
            format!("https://{}", server.local_addr()),
            MeshIdentity::AUTH,
        );
        let shutdown = CancellationToken::new();
        tokio::spawn(server.serve(
            Routes::new(TokenKeysServer::new(auth.clone())),
            &["aval.keys.v1.TokenKeys"],
            shutdown.clone(),
        ));
        let (stop, stopped) = tokio::sync::oneshot::channel();
        tokio::spawn(async move {
            let _ = stopped.await;
            shutdown.cancel();
        });
        let channel = connect_lazy(&address, &certs.tls(MeshIdentity::SCORE)?)?;
        Ok(Self {
            key,
            auth,
            cache: JwksCache::new(channel),
            _stop: stop,
        })
    }

    fn token(&self, kid: &str) -> anyhow::Result<String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: "client".into(),
            exp: now + 600,
            iat: now,
            jti: "jti".into(),
            tenant: "lender".into(),
            scope: "score:read".into(),
        };
        Ok(jwt::sign(&claims, kid, &self.key)?)
    }

    fn set(&self, mode: Mode) {
        if let Ok(mut current) = self.auth.mode.lock() {
            *current = mode;
        }
    }

    fn fetches(&self) -> usize {
        self.auth.fetches.load(Ordering::SeqCst)
    }
}

#[tokio::test]
async fn a_burst_of_unknown_key_ids_costs_one_fetch() -> TestResult {
    let fixture = Fixture::start(Mode::Answer).await?;
    // The known key verifies (after the fetch at start).
    let claims = fixture.cache.verify(&fixture.token("k1")?).await?;
    assert_eq!(claims.tenant, "lender");
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let before = fixture.fetches();

    let forged = fixture.token("rotated-away")?;
    let burst = (0..200).map(|_| fixture.cache.verify(&forged));
    let answers = futures_util::future::join_all(burst).await;
    assert!(
        answers.iter().all(|a| a == &Err(TokenError::UnknownKey)),
        "every token with an unknown key id is refused"
    );
    assert_eq!(fixture.fetches() - before, 1, "one fetch served the burst");
    // Asked again at once, within the minimum interval: refused without a fetch.
    assert_eq!(
        fixture.cache.verify(&forged).await,
        Err(TokenError::UnknownKey)
    );
    assert_eq!(fixture.fetches() - before, 1);
    // Nor does the burst leave a fetch owed behind it.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(fixture.fetches() - before, 1);
    Ok(())
}

#[tokio::test]
async fn known_keys_verify_while_auth_service_is_down_or_hangs() -> TestResult {
    let fixture = Fixture::start(Mode::Answer).await?;
    let token = fixture.token("k1")?;
    fixture.cache.verify(&token).await?;

    for mode in [Mode::Fail, Mode::Hang] {
        fixture.set(mode);
        tokio::time::sleep(Duration::from_millis(1_100)).await;
        // An unknown key asks for a fetch that fails or hangs: answered anyway, within the
        // fetch's bound (the outer timeout only keeps a regression from hanging the suite).
        let unknown = tokio::time::timeout(
            Duration::from_secs(10),
            fixture.cache.verify(&fixture.token("new-key")?),
        )
        .await?;
        assert_eq!(unknown, Err(TokenError::UnknownKey));
        // The known key still verifies, without waiting on auth-service.
        let known =
            tokio::time::timeout(Duration::from_secs(10), fixture.cache.verify(&token)).await?;
        assert_eq!(known?.sub, "client");
    }
    Ok(())
}

#[tokio::test]
async fn before_auth_service_ever_answers_the_keys_are_unavailable() -> TestResult {
    let fixture = Fixture::start(Mode::Fail).await?;
    let answer = fixture.cache.verify(&fixture.token("k1")?).await;
    // Not the token's fault: the caller is told to retry (503), not to re-authenticate.
    assert_eq!(answer.err(), Some(TokenError::KeysUnavailable));

    fixture.set(Mode::Answer);
    // The failed first fetch is retried after its backoff, without being asked.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match fixture.cache.verify(&fixture.token("k1")?).await {
            Ok(claims) => {
                assert_eq!(claims.tenant, "lender");
                break;
            }
            Err(error) if tokio::time::Instant::now() < deadline => {
                assert_eq!(error, TokenError::KeysUnavailable);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(error) => anyhow::bail!("still refused: {error}"),
        }
    }
    Ok(())
}
