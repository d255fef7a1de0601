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

    /// Every address the targets resolve to now. A name that does not resolve this time keeps
    /// the addresses it had last time (`last`, one entry per target): a DNS hiccup must not
    /// drop live replicas. An error only when nothing resolves at all.
    pub(super) async fn resolve(
        &self,
        last: &mut Vec<BTreeSet<SocketAddr>>,
    ) -> Result<BTreeSet<SocketAddr>, String> {
        last.resize(self.0.len(), BTreeSet::new());
        let mut errors = Vec::new();
        for ((host, port), known) in self.0.iter().zip(last.iter_mut()) {
            match tokio::net::lookup_host((host.as_str(), *port)).await {
                Ok(found) => *known = found.collect(),
                Err(e) => errors.push(format!("{host}: {e}")),
            }
        }
        let addresses: BTreeSet<SocketAddr> = last.iter().flatten().copied().collect();
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
        let mut last = Vec::new();
        let found: Vec<String> = targets
            .resolve(&mut last)
            .await?
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(found, ["127.0.0.2:7001", "127.0.0.3:7001"]);
        // A name that stops resolving keeps its last addresses.
        let flaky = Targets::parse("https://127.0.0.2:7001,https://no-such-host.invalid:1")?;
        let mut last = vec![
            BTreeSet::new(),
            BTreeSet::from([SocketAddr::from(([10, 0, 0, 9], 1))]),
        ];
        let found = flaky.resolve(&mut last).await?;
        assert_eq!(found.len(), 2, "{found:?}");
        Ok(())
    }
}
