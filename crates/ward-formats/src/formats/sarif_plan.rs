//! A quick first read of a SARIF log that tells the streaming reader of `sarif.rs` two things
//! it cannot know while reading front to back:
//!
//! - whether a run's results can become findings as they are read: everything a finding takes
//!   from its run (tool and rules, invocations, artifacts, properties) comes before `results`;
//! - after which results the findings made so far may be handed over. Fingerprints are assigned
//!   per batch, and the rank of a code finding is its position among the findings with the same
//!   category, rule and file (see `ward_core::fingerprint`), so a batch may end only where no
//!   later result shares a rule and file with a result in it. Results are keyed by a hash of
//!   their rule id and normalized file path (the file alone when some result's rule is known
//!   only through its index or title); a shared key merely delays the hand-over, so hash
//!   collisions cost memory, never correctness. Semgrep's repeats, merged by rule and file, are
//!   within one batch for the same reason.
//!
//! The first read keeps a few bytes per result. Anything it does not understand (a field of an
//! unexpected type, a repeated field) makes it give up, and the log is read whole as before.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::sast_common::{percent_decode, Scalar};

/// What the first read found.
pub(super) struct Plan {
    /// Per run, in order: whether its results can become findings as they are read.
    pub(super) stream_runs: Vec<bool>,
    /// Per result, counted over all runs in order: whether the findings made up to and with it
    /// may be handed over (no later result can share a fingerprint rank with them).
    pub(super) flush_after: Vec<bool>,
}

/// The plan for a SARIF log, or `None` when it is not one this reader can plan for (broken,
/// an unexpected shape, or no SARIF version or schema): such a log is read whole.
pub(super) fn plan(
    bytes: &[u8],
    is_sarif: fn(Option<&Scalar>, Option<&str>) -> bool,
) -> Option<Plan> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut state = State::default();
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let header = LogSeed { state: &mut state }
        .deserialize(&mut deserializer)
        .and_then(|header| deserializer.end().map(|()| header))
        .ok()?;
    if !is_sarif(header.version.as_ref(), header.schema.as_deref()) {
        return None;
    }
    Some(state.finish())
}

/// A fast, non-cryptographic hash (the multiply-rotate scheme of rustc's FxHash), for short
/// keys where SipHash's cost per byte shows.
#[derive(Default, Clone, Copy)]
pub(super) struct FastHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
        self.add(bytes.len() as u64);
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        // A final mix so that the low bits, which hash tables use, depend on every input bit.
        let x = self.0;
        (x ^ (x >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9) ^ (x >> 32)
    }
}

/// A `HashMap` hasher for [`FastHasher`].
pub(super) type FastBuild = BuildHasherDefault<FastHasher>;

/// The hash of a text.
pub(super) fn hash_text(text: &str) -> u64 {
    let mut hasher = FastHasher::default();
    hasher.write(text.as_bytes());
    hasher.finish()
}

/// The key of findings without a file.
const NO_FILE: u64 = 0x9e37_79b9_7f4a_7c15;

/// The file key of a location's URI, as the finding's path will be normalized for its
/// fingerprint.
fn path_key(uri: &str) -> Option<u64> {
    let uri = uri.trim();
    if uri.is_empty() {
        return None;
    }
    if !uri.contains(['%', '\\']) {
        // What `normalize_path` does to such a path, without copying it.
        let mut path = uri.strip_prefix("file://").unwrap_or(uri);
        while let Some(rest) = path.strip_prefix("./") {
            path = rest;
        }
        return Some(hash_text(path));
    }
    Some(hash_text(&ward_core::fingerprint::normalize_path(
        &percent_decode(uri),
    )))
}

#[derive(Default)]
struct State {
    stream_runs: Vec<bool>,
    /// One per finding a result may give (a location, or none), in result order.
    entries: Vec<Entry>,
    n_results: u32,
    /// Some result's rule is not named by its own `ruleId`: keys hold the file alone.
    rule_unknown: bool,
}

struct Entry {
    result: u32,
    /// The rule id's hash.
    rule: u64,
    /// The file's hash, or (while its run is being read) the artifact index it names.
    path: Path,
}

enum Path {
    Key(u64),
    Artifact(usize),
}

impl State {
    fn finish(self) -> Plan {
        let key = |e: &Entry| {
            let path = match e.path {
                Path::Key(k) => k,
                Path::Artifact(_) => NO_FILE,
            };
            if self.rule_unknown {
                path
            } else {
                let mut hasher = FastHasher(e.rule);
                hasher.add(path);
                hasher.finish()
            }
        };
        let mut last: HashMap<u64, u32, FastBuild> = HashMap::default();
        for entry in &self.entries {
            last.insert(key(entry), entry.result);
        }
        let mut flush_after = Vec::with_capacity(self.n_results as usize);
        let mut reach = 0;
        let mut entries = self.entries.iter().peekable();
        for result in 0..self.n_results {
            while let Some(entry) = entries.next_if(|e| e.result == result) {
                reach = reach.max(last.get(&key(entry)).copied().unwrap_or(result));
            }
            flush_after.push(reach <= result);
        }
        Plan {
            stream_runs: self.stream_runs,
            flush_after,
        }
    }
}

/// A string, borrowed from the input when it has no escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text<'a>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
        }
        deserializer.deserialize_str(V)
    }
}

struct Header {
    version: Option<Scalar>,
    schema: Option<String>,
}

#[derive(Deserialize)]
#[serde(field_identifier)]
pub(super) enum LogField {
    #[serde(rename = "version")]
    Version,
    #[serde(rename = "$schema")]
    Schema,
    #[serde(rename = "runs")]
    Runs,
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
pub(super) enum RunField {
    Results,
    Artifacts,
    Tool,
    Invocations,
    Properties,
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyResult<'a> {
    #[serde(borrow)]
    rule_id: Option<Text<'a>>,
    #[serde(borrow)]
    rule: Option<KeyRuleRef<'a>>,
    #[serde(borrow)]
    locations: Option<Vec<KeyLocation<'a>>>,
}

#[derive(Deserialize)]
struct KeyRuleRef<'a> {
    #[serde(borrow)]
    id: Option<Text<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyLocation<'a> {
    #[serde(borrow)]
    physical_location: Option<KeyPhysical<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyPhysical<'a> {
    #[serde(borrow)]
    artifact_location: Option<KeyArtifactLocation<'a>>,
}

#[derive(Deserialize)]
struct KeyArtifactLocation<'a> {
    #[serde(borrow)]
    uri: Option<Text<'a>>,
    index: Option<i64>,
}

#[derive(Deserialize)]
struct KeyArtifact<'a> {
    #[serde(borrow)]
    location: Option<KeyArtifactLocation<'a>>,
}

struct LogSeed<'s> {
    state: &'s mut State,
}

impl<'de> DeserializeSeed<'de> for LogSeed<'_> {
    type Value = Header;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Header, D::Error> {
        deserializer.deserialize_map(self)
    }
}

fn duplicate<E: serde::de::Error>(seen: &mut bool, name: &'static str) -> Result<(), E> {
    if std::mem::replace(seen, true) {
        return Err(E::duplicate_field(name));
    }
    Ok(())
}

impl<'de> Visitor<'de> for LogSeed<'_> {
    type Value = Header;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a SARIF log")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Header, A::Error> {
        let mut header = Header {
            version: None,
            schema: None,
        };
        let (mut version, mut schema, mut runs) = (false, false, false);
        while let Some(field) = map.next_key::<LogField>()? {
            match field {
                LogField::Version => {
                    duplicate(&mut version, "version")?;
                    header.version = map.next_value()?;
                }
                LogField::Schema => {
                    duplicate(&mut schema, "$schema")?;
                    header.schema = map.next_value()?;
                }
                LogField::Runs => {
                    duplicate(&mut runs, "runs")?;
                    map.next_value_seed(RunsSeed {
                        state: &mut *self.state,
                    })?;
                }
                LogField::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(header)
    }
}

struct RunsSeed<'s> {
    state: &'s mut State,
}

impl<'de> DeserializeSeed<'de> for RunsSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RunsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of runs")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(RunSeed {
                state: &mut *self.state,
            })?
            .is_some()
        {}
        Ok(())
    }
}

struct RunSeed<'s> {
    state: &'s mut State,
}

impl<'de> DeserializeSeed<'de> for RunSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RunSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a SARIF run")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let first_entry = self.state.entries.len();
        let mut artifacts: Vec<Option<u64>> = Vec::new();
        let mut seen = [false; 5];
        let mut late_context = false;
        while let Some(field) = map.next_key::<RunField>()? {
            let context = !matches!(field, RunField::Results | RunField::Other);
            if context && seen[0] {
                late_context = true;
            }
            match field {
                RunField::Results => {
                    duplicate(&mut seen[0], "results")?;
                    map.next_value_seed(ResultsSeed {
                        state: &mut *self.state,
                    })?;
                }
                RunField::Artifacts => {
                    duplicate(&mut seen[1], "artifacts")?;
                    let listed: Option<Vec<KeyArtifact<'_>>> = map.next_value()?;
                    artifacts = listed
                        .unwrap_or_default()
                        .iter()
                        .map(|a| {
                            a.location
                                .as_ref()
                                .and_then(|l| l.uri.as_ref())
                                .and_then(|uri| path_key(&uri.0))
                        })
                        .collect();
                }
                RunField::Tool => {
                    duplicate(&mut seen[2], "tool")?;
                    map.next_value::<IgnoredAny>()?;
                }
                RunField::Invocations => {
                    duplicate(&mut seen[3], "invocations")?;
                    map.next_value::<IgnoredAny>()?;
                }
                RunField::Properties => {
                    duplicate(&mut seen[4], "properties")?;
                    map.next_value::<IgnoredAny>()?;
                }
                RunField::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        // Locations that name their file by its index in the run's artifacts.
        for entry in &mut self.state.entries[first_entry..] {
            if let Path::Artifact(index) = entry.path {
                entry.path = Path::Key(artifacts.get(index).copied().flatten().unwrap_or(NO_FILE));
            }
        }
        self.state.stream_runs.push(!late_context);
        Ok(())
    }
}

struct ResultsSeed<'s> {
    state: &'s mut State,
}

impl<'de> DeserializeSeed<'de> for ResultsSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ResultsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of results")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let state = self.state;
        while let Some(result) = seq.next_element::<KeyResult<'de>>()? {
            let index = state.n_results;
            state.n_results = index
                .checked_add(1)
                .ok_or_else(|| serde::de::Error::custom("too many results"))?;
            // The finding's rule is the result's own id, else the rule it references by id;
            // a rule found by index, or a title standing in for the rule, is not known here.
            let id = result
                .rule_id
                .as_ref()
                .or(result.rule.as_ref().and_then(|r| r.id.as_ref()))
                .map(|t| t.0.trim())
                .filter(|id| !id.is_empty() && !id.starts_with("ward."));
            let rule = match id {
                Some(id) => hash_text(id),
                None => {
                    state.rule_unknown = true;
                    0
                }
            };
            let mut any = false;
            for location in result.locations.iter().flatten() {
                any = true;
                let artifact = location
                    .physical_location
                    .as_ref()
                    .and_then(|p| p.artifact_location.as_ref());
                let path = match artifact {
                    None => Path::Key(NO_FILE),
                    Some(a) => match a.uri.as_ref().and_then(|uri| path_key(&uri.0)) {
                        Some(key) => Path::Key(key),
                        None => match a.index.and_then(|i| usize::try_from(i).ok()) {
                            Some(i) => Path::Artifact(i),
                            None => Path::Key(NO_FILE),
                        },
                    },
                };
                state.entries.push(Entry {
                    result: index,
                    rule,
                    path,
                });
            }
            if !any {
                state.entries.push(Entry {
                    result: index,
                    rule,
                    path: Path::Key(NO_FILE),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_keys_follow_the_fingerprint_path() {
        for uri in [
            "a.py",
            " ./src/a.py ",
            "file://./src/a.py",
            "././a.py",
            "src\\a.py",
            ".\\a.py",
            "src/a%20b.py",
            "%2E/a.py",
            "file:///abs/a.py",
        ] {
            let path = percent_decode(uri.trim());
            let expected = hash_text(&ward_core::fingerprint::normalize_path(&path));
            assert_eq!(path_key(uri), Some(expected), "{uri}");
        }
        assert_eq!(path_key("  "), None);
        assert_eq!(path_key("./a.py"), path_key("a.py"));
    }
}
