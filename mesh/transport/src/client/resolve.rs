//! The addresses a peer's URLs stand for, looked up again on every call of
//! [`Targets::resolve`] (no caching here: on Kubernetes a headless Service's answer changes as
//! pods come and go).

use std::{collections::BTreeSet, net::SocketAddr};

/// The `host:port` pairs of a peer's URLs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Targets(Vec<(String, u16)>);

impl Targets {
    /// `https://host:port[,https://host:port…]`; the port defaults to 443.
    pub(super) fn parse(urls: &str) -> Result<Self, String> {
        let mut targets = Vec::new();
        for url in urls.split(',').map(str::trim).filter(|u| !u.is_empty()) {
            let uri: http::Uri = url
                .parse()
                .map_err(|e| format!("`{url}` is not a URL: {e}"))?;
            if uri.scheme_str() != Some("https") {
                return Err(format!("`{url}`: mesh peers are reached over https://"));
            }
            let host = uri
                .host()
                .ok_or_else(|| format!("`{url}` has no host"))?
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned();
            targets.push((host, uri.port_u16().unwrap_or(443)));
        }
        if targets.is_empty() {
            return Err("no URL given".to_owned());
        }
        Ok(Self(targets))
    }

    /// Every address the targets resolve to now. Names that do not resolve are left out;
    /// an error only when nothing resolved (the caller then keeps what it had).
    pub(super) async fn resolve(&self) -> Result<BTreeSet<SocketAddr>, String> {
        let mut addresses = BTreeSet::new();
        let mut errors = Vec::new();
        for (host, port) in &self.0 {
            match tokio::net::lookup_host((host.as_str(), *port)).await {
                Ok(found) => addresses.extend(found),
                Err(e) => errors.push(format!("{host}: {e}")),
            }
        }
        if addresses.is_empty() && !errors.is_empty() {
            return Err(errors.join("; "));
        }
        Ok(addresses)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_urls_make_several_targets() {
        let targets =
            Targets::parse("https://score-service:50052, https://[::1]:7000,https://10.0.0.7")
                .map_err(|e| e.to_string());
        assert_eq!(
            targets,
            Ok(Targets(vec![
                ("score-service".to_owned(), 50052),
                ("::1".to_owned(), 7000),
                ("10.0.0.7".to_owned(), 443),
            ]))
        );
    }

    #[test]
    fn plaintext_empty_and_hostless_urls_are_refused() {
        for bad in [
            "http://score-service:50052",
            "",
            " , ",
            "https://",
            "score-service:50052",
        ] {
            assert!(Targets::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[tokio::test]
    async fn ip_literals_resolve_to_themselves() -> Result<(), String> {
        let targets = Targets::parse("https://127.0.0.2:7001,https://127.0.0.3:7001")?;
        let found: Vec<String> = targets
            .resolve()
            .await?
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(found, ["127.0.0.2:7001", "127.0.0.3:7001"]);
        Ok(())
    }
}
