//! Resource discovery (RFC 9148 §5.1, RFC 6690): the server's `/.well-known/core` answer
//! and the client's parser for it.

use crate::function::{EstPath, Function};
use alloc::string::String;
use alloc::vec::Vec;

/// RFC 6690 §4: the well-known discovery path.
pub const WELL_KNOWN_CORE: [&str; 2] = [".well-known", "core"];

/// RFC 9148 §5.1: the `ct` attribute each function advertises.
#[must_use]
pub fn ct_attribute(function: Function) -> String {
    let ids: Vec<String> = function
        .response_formats()
        .iter()
        .map(|f| alloc::format!("{}", f.id()))
        .collect();
    if ids.len() == 1 {
        ids.concat()
    } else {
        alloc::format!("\"{}\"", ids.join(" "))
    }
}

/// RFC 6690 §4.1: does a query like `rt=ace.est*` select a link with this resource type?
/// Several query parameters must all match; unknown filters select nothing.
fn query_matches(query: &[&str], rt: &str, ct: &str) -> bool {
    query.iter().all(|q| {
        let Some((name, value)) = q.split_once('=') else {
            return false;
        };
        let target = match name {
            "rt" => rt,
            "ct" => ct.trim_matches('"'),
            _ => return false,
        };
        target.split(' ').any(|v| match value.strip_suffix('*') {
            Some(prefix) => v.starts_with(prefix),
            None => v == value,
        })
    })
}

/// RFC 9148 §5.1: the link-format body (Content-Format 40) listing `functions` under
/// `path`, filtered by the Uri-Query of the request (for example `rt=ace.est*`).
#[must_use]
pub fn link_format(path: &EstPath, functions: &[Function], query: &[&str]) -> String {
    let mut links = Vec::new();
    for f in functions {
        let ct = ct_attribute(*f);
        if !query_matches(query, f.resource_type(), &ct) {
            continue;
        }
        links.push(alloc::format!(
            "<{}>;rt=\"{}\";ct={}",
            path.path_string(*f),
            f.resource_type(),
            ct
        ));
    }
    links.join(",")
}

/// One link of a discovery answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The target (a path or an absolute URI, RFC 9148 §5.1 ED-7).
    pub target: String,
    /// The attributes, unquoted, in order.
    pub attributes: Vec<(String, String)>,
}

impl Link {
    /// The value of an attribute.
    #[must_use]
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The EST function this link advertises, from its `rt` (RFC 9148 §9.2).
    #[must_use]
    pub fn function(&self) -> Option<Function> {
        let rt = self.attribute("rt")?;
        rt.split(' ')
            .find_map(|v| Function::ALL.into_iter().find(|f| f.resource_type() == v))
    }
}

/// Splits `s` at `sep` outside double quotes.
fn split_unquoted(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c == sep && !quoted {
            out.push(s.get(start..i).unwrap_or(""));
            start = i + c.len_utf8();
        }
    }
    out.push(s.get(start..).unwrap_or(""));
    out
}

/// RFC 6690 §2: parses a link-format body; malformed links are skipped.
#[must_use]
pub fn parse_links(body: &str) -> Vec<Link> {
    let mut links = Vec::new();
    for item in split_unquoted(body, ',') {
        let mut parts = split_unquoted(item.trim(), ';').into_iter();
        let Some(target) = parts
            .next()
            .and_then(|t| t.trim().strip_prefix('<'))
            .and_then(|t| t.strip_suffix('>'))
        else {
            continue;
        };
        let attributes = parts
            .map(|p| match p.split_once('=') {
                Some((n, v)) => (
                    String::from(n.trim()),
                    String::from(v.trim().trim_matches('"')),
                ),
                None => (String::from(p.trim()), String::new()),
            })
            .collect();
        links.push(Link {
            target: String::from(target),
            attributes,
        });
    }
    links
}
