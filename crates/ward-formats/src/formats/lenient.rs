//! Lenient field readers for reports whose producers are loose about types: a number written as
//! text (`"7.5"`), an id written as a number (`89`), an object written as `[]`.
//!
//! Use with `#[serde(default, deserialize_with = "lenient::text")]` on `Option` fields; values
//! of another shape read as `None` instead of failing the whole report.

use std::collections::HashMap;
use std::fmt;

use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// A value of the expected shape, or anything else (ignored).
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum Lenient<T> {
    Value(T),
    Other(IgnoredAny),
}

impl<T> Lenient<T> {
    /// The value, when it had the expected shape.
    pub(crate) fn get(&self) -> Option<&T> {
        match self {
            Lenient::Value(v) => Some(v),
            Lenient::Other(_) => None,
        }
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or a number")
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(TextVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

/// Text, numbers and booleans as text; anything else as `None`.
pub(crate) fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    deserializer.deserialize_any(TextVisitor)
}

/// A number, also from text (`"7.5"`); anything else, and non-finite values, as `None`.
pub(crate) fn float<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    Ok(text(deserializer)?
        .and_then(|t| t.trim().parse::<f64>().ok())
        .filter(|n| n.is_finite()))
}

/// A non-negative whole number, also from text (`"12"`); anything else as `None`.
pub(crate) fn whole<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    Ok(float(deserializer)?
        .filter(|n| *n >= 0.0 && n.fract() == 0.0 && *n <= f64::from(u32::MAX))
        .map(|n| n as u32))
}

/// A map of texts (`{"k": "v", "n": 2}`): values of another shape are skipped, and anything but
/// a map reads as an empty map.
pub(crate) fn text_map<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<HashMap<String, String>, D::Error> {
    struct Text(Option<String>);
    impl<'de> Deserialize<'de> for Text {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
            text(deserializer).map(Text)
        }
    }
    struct MapVisitor;
    impl<'de> Visitor<'de> for MapVisitor {
        type Value = HashMap<String, String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a map")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = HashMap::new();
            while let Some((key, Text(value))) = map.next_entry::<String, Text>()? {
                if let Some(value) = value {
                    out.insert(key, value);
                }
            }
            Ok(out)
        }
    }
    // Anything but a map: read through the text visitor, which skips every shape, and drop it.
    struct Either;
    impl<'de> Visitor<'de> for Either {
        type Value = HashMap<String, String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a map")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            MapVisitor.visit_map(map)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            TextVisitor.visit_seq(seq).map(|_| HashMap::new())
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok(HashMap::new())
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(HashMap::new())
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(HashMap::new())
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(HashMap::new())
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(HashMap::new())
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(HashMap::new())
        }
    }
    deserializer.deserialize_any(Either)
}

/// A list that may be written as `null`; elements of another shape fail as usual.
pub(crate) fn list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct T {
        #[serde(default, deserialize_with = "text")]
        a: Option<String>,
        #[serde(default, deserialize_with = "whole")]
        b: Option<u32>,
        #[serde(default, deserialize_with = "whole")]
        c: Option<u32>,
        #[serde(default, deserialize_with = "float")]
        d: Option<f64>,
        #[serde(default, deserialize_with = "list")]
        e: Vec<u8>,
        f: Option<Lenient<Vec<u8>>>,
    }

    #[test]
    fn loose_values() {
        let t: T =
            serde_json::from_str(r#"{"a":89,"b":"12","c":[1],"d":"0.5","e":null,"f":{"x":1}}"#)
                .unwrap();
        assert_eq!(
            (t.a.as_deref(), t.b, t.c, t.d),
            (Some("89"), Some(12), None, Some(0.5))
        );
        assert!(t.e.is_empty() && t.f.unwrap().get().is_none());
        let t: T = serde_json::from_str(r#"{"b":-1,"c":2.5,"d":"x"}"#).unwrap();
        assert_eq!((t.a, t.b, t.c, t.d), (None, None, None, None));
    }

    #[test]
    fn text_maps() {
        #[derive(Deserialize)]
        struct M {
            #[serde(default, deserialize_with = "text_map")]
            m: HashMap<String, String>,
        }
        let m: M = serde_json::from_str(r#"{"m":{"a":"x","b":2,"c":[1],"d":{"e":1}}}"#).unwrap();
        assert_eq!(m.m.len(), 2);
        assert_eq!((m.m["a"].as_str(), m.m["b"].as_str()), ("x", "2"));
        let m: M = serde_json::from_str(r#"{"m":[{"a":"x"}]}"#).unwrap();
        assert!(m.m.is_empty());
    }
}
