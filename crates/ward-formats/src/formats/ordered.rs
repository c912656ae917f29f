//! Wire helpers for JSON reports that key their entries by name (`{"rule-id": {...}}`):
//! [`Ordered`] keeps such objects in document order, since a report's order is its findings'
//! order, and [`Text`] reads a scalar that tools write as a string or a number.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// A JSON object as its `(key, value)` pairs in document order. `null` reads as empty.
#[derive(Debug)]
pub(crate) struct Ordered<T>(pub(crate) Vec<(String, T)>);

impl<T> Default for Ordered<T> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Ordered<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered<T>, A::Error> {
                let mut entries = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, T>()? {
                    entries.push((k, v));
                }
                Ok(Ordered(entries))
            }
            fn visit_unit<E>(self) -> Result<Ordered<T>, E> {
                Ok(Ordered(Vec::new()))
            }
            // An empty list where an object is expected (PHP- and Python-made reports do this).
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered<T>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Ordered(Vec::new()))
            }
        }
        deserializer.deserialize_any(V(PhantomData))
    }
}

/// A scalar read as text: strings as they are, numbers and booleans written out, `null` (and a
/// list or object) empty.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Text(pub(crate) String);

impl Text {
    /// The trimmed text, or `None` when blank.
    pub(crate) fn get(&self) -> Option<&str> {
        Some(self.0.trim()).filter(|t| !t.is_empty())
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Text, E> {
                Ok(Text(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_unit<E>(self) -> Result<Text, E> {
                Ok(Text::default())
            }
            fn visit_none<E>(self) -> Result<Text, E> {
                Ok(Text::default())
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Text, D::Error> {
                d.deserialize_any(V)
            }
            // A structure where a scalar was expected says nothing usable: read as blank.
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Text, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Text::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Text::default())
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// One string or a list of strings (`"a"`, `["a", "b"]`, `"a,b"` stays one item); numbers
/// are written out, `null` is empty.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct OneOrMany(pub(crate) Vec<String>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany(vec![v.to_string()]))
            }
            fn visit_i64<E>(self, v: i64) -> Result<OneOrMany, E> {
                Ok(OneOrMany(vec![v.to_string()]))
            }
            fn visit_u64<E>(self, v: u64) -> Result<OneOrMany, E> {
                Ok(OneOrMany(vec![v.to_string()]))
            }
            fn visit_f64<E>(self, v: f64) -> Result<OneOrMany, E> {
                Ok(OneOrMany(vec![v.to_string()]))
            }
            fn visit_unit<E>(self) -> Result<OneOrMany, E> {
                Ok(OneOrMany::default())
            }
            fn visit_none<E>(self) -> Result<OneOrMany, E> {
                Ok(OneOrMany::default())
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<OneOrMany, D::Error> {
                d.deserialize_any(V)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Text>()? {
                    items.extend(item.get().map(str::to_string));
                }
                Ok(OneOrMany(items))
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_and_scalars() {
        let o: Ordered<Text> = serde_json::from_str(r#"{"b": 1, "a": "x", "c": null}"#).unwrap();
        let keys: Vec<&str> = o.0.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["b", "a", "c"]);
        assert_eq!(o.0[0].1.get(), Some("1"));
        assert_eq!(o.0[2].1.get(), None);
        let empty: Ordered<Text> = serde_json::from_str("[]").unwrap();
        assert!(empty.0.is_empty());
        let many: OneOrMany = serde_json::from_str(r#"["a", 2, null]"#).unwrap();
        assert_eq!(serde_json::from_str::<OneOrMany>("53").unwrap().0, ["53"]);
        assert_eq!(many.0, ["a", "2"]);
        let one: OneOrMany = serde_json::from_str(r#""a, b""#).unwrap();
        assert_eq!(one.0, ["a, b"]);
    }
}
