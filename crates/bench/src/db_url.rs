//! Database URLs fit to print: passwords hidden. Shared with `pledge` (`--database`).

/// Hides the password of a database URL: `postgres://user:***@host/db`, and
/// any `password=` query parameter.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return redact_query(url);
    };
    // The last '@' ends the user info, even if an unescaped password holds '/' or '?'.
    let (auth, tail) = match rest.rfind('@') {
        Some(at) => {
            let (userinfo, host) = (&rest[..at], &rest[at + 1..]);
            match userinfo.split_once(':') {
                Some((user, _)) => (format!("{user}:***@"), host),
                None => (format!("{userinfo}@"), host),
            }
        }
        None => (String::new(), rest),
    };
    format!("{scheme}://{auth}{}", redact_query(tail))
}

fn redact_query(s: &str) -> String {
    let Some((base, query)) = s.split_once('?') else { return s.to_owned() };
    let parts: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") || k.eq_ignore_ascii_case("sslpassword") => {
                format!("{k}=***")
            }
            _ => kv.to_owned(),
        })
        .collect();
    format!("{base}?{}", parts.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_print() {
        assert_eq!(redact_url("postgres://pledge:s3cret@db:5432/pledge"), "postgres://pledge:***@db:5432/pledge");
        assert_eq!(redact_url("postgresql://u:p/a?s@h/db"), "postgresql://u:***@h/db");
        assert_eq!(
            redact_url("postgres://u@h/db?password=x&sslmode=require"),
            "postgres://u@h/db?password=***&sslmode=require"
        );
        assert_eq!(redact_url("postgres://h/db"), "postgres://h/db");
        assert_eq!(redact_url("sqlite://./pledge-data/pledge.db"), "sqlite://./pledge-data/pledge.db");
        assert_eq!(redact_url("sqlite:///tmp/x.db?mode=rwc"), "sqlite:///tmp/x.db?mode=rwc");
    }
}
