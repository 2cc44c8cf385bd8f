//! Tolerant decoding of scalar fields.
//!
//! The documented responses of the service disagree with the declared types in
//! small ways: numbers arrive as strings (`"2011"`), booleans as `"true"` or `1`,
//! and `null` where a value is declared. The functions here accept those forms
//! for scalar fields, for use with `#[serde(deserialize_with = "…")]`. Structure
//! errors (an object where an array belongs) still fail.

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize as _;
use std::fmt;

/// A scalar that may arrive as a number, a string, a boolean or null.
#[derive(Debug, Clone, PartialEq)]
enum Scalar {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    Null,
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, a string, a boolean or null")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        i64::try_from(v)
            .map(Scalar::Int)
            .or(Ok(Scalar::Float(v as f64)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar::Str(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

fn scalar<'de, D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
    d.deserialize_any(ScalarVisitor)
}

fn to_i64<E: de::Error>(s: Scalar) -> Result<Option<i64>, E> {
    match s {
        Scalar::Int(i) => Ok(Some(i)),
        Scalar::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
        Scalar::Float(f) => Err(E::custom(format!("expected an integer, found {f}"))),
        Scalar::Bool(b) => Ok(Some(i64::from(b))),
        Scalar::Str(s) if s.trim().is_empty() => Ok(None),
        Scalar::Str(s) => {
            s.trim()
                .parse::<i64>()
                .map(Some)
                .or_else(|_| match s.trim().parse::<f64>() {
                    Ok(f) if f.fract() == 0.0 => Ok(Some(f as i64)),
                    _ => Err(E::custom(format!(
                        "expected an integer, found the string {s:?}"
                    ))),
                })
        }
        Scalar::Null => Ok(None),
    }
}

fn to_f64<E: de::Error>(s: Scalar) -> Result<Option<f64>, E> {
    match s {
        Scalar::Int(i) => Ok(Some(i as f64)),
        Scalar::Float(f) => Ok(Some(f)),
        Scalar::Bool(b) => Ok(Some(if b { 1.0 } else { 0.0 })),
        Scalar::Str(s) if s.trim().is_empty() => Ok(None),
        Scalar::Str(s) => s
            .trim()
            .parse::<f64>()
            .map(Some)
            .map_err(|_| E::custom(format!("expected a number, found the string {s:?}"))),
        Scalar::Null => Ok(None),
    }
}

fn to_bool<E: de::Error>(s: Scalar) -> Result<Option<bool>, E> {
    match s {
        Scalar::Bool(b) => Ok(Some(b)),
        Scalar::Int(i) => Ok(Some(i != 0)),
        Scalar::Float(f) => Ok(Some(f != 0.0)),
        Scalar::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(Some(true)),
            "false" | "0" | "no" => Ok(Some(false)),
            "" => Ok(None),
            _ => Err(E::custom(format!(
                "expected a boolean, found the string {s:?}"
            ))),
        },
        Scalar::Null => Ok(None),
    }
}

fn to_string<E: de::Error>(s: Scalar) -> Result<Option<String>, E> {
    Ok(match s {
        Scalar::Int(i) => Some(i.to_string()),
        Scalar::Float(f) => Some(f.to_string()),
        Scalar::Bool(b) => Some(b.to_string()),
        Scalar::Str(s) => Some(s),
        Scalar::Null => None,
    })
}

/// An `i64` from a number, a numeric string or a boolean; null gives 0.
pub fn i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(to_i64(scalar(d)?)?.unwrap_or_default())
}
/// An optional `i64` from a number, a numeric string or a boolean.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    to_i64(scalar(d)?)
}
/// An `f64` from a number or a numeric string; null gives 0.
pub fn f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(to_f64(scalar(d)?)?.unwrap_or_default())
}
/// An optional `f64` from a number or a numeric string.
pub fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    to_f64(scalar(d)?)
}
/// A `bool` from a boolean, `0`/`1` or `"true"`/`"false"`; null gives false.
pub fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(to_bool(scalar(d)?)?.unwrap_or_default())
}
/// An optional `bool` from a boolean, `0`/`1` or `"true"`/`"false"`.
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    to_bool(scalar(d)?)
}
/// A `String` from a string, a number or a boolean; null gives the empty string.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(to_string(scalar(d)?)?.unwrap_or_default())
}
/// A required id: a string (or a number, as its decimal string). Unlike
/// [`string`], `null` is an error: an object without its id cannot be acted
/// on, and an empty id passed to the next call would act on the wrong thing.
/// An absent id is an error too (the field has no `default`).
pub fn id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match scalar(d)? {
        Scalar::Null => Err(de::Error::custom("a required id is null")),
        Scalar::Str(s) => Ok(s),
        Scalar::Int(i) => Ok(i.to_string()),
        Scalar::Float(f) => Ok(f.to_string()),
        Scalar::Bool(b) => Err(de::Error::custom(format!(
            "expected an id, found the boolean {b}"
        ))),
    }
}
/// An optional `String` from a string, a number or a boolean.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    to_string(scalar(d)?)
}

/// A [`SecretString`](crate::SecretString) from a string, a number or a boolean; null gives the empty secret.
pub fn secret<'de, D: Deserializer<'de>>(d: D) -> Result<crate::SecretString, D::Error> {
    Ok(crate::SecretString::new(
        to_string(scalar(d)?)?.unwrap_or_default(),
    ))
}
/// An optional [`SecretString`](crate::SecretString) from a string, a number or a boolean.
pub fn opt_secret<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<crate::SecretString>, D::Error> {
    Ok(to_string(scalar(d)?)?.map(crate::SecretString::new))
}
/// A required object whose type holds a required id: `null` is an error (an
/// empty object in its place would carry empty ids). An absent one is an
/// error too (the field has no `default`).
pub fn object<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    Option::<T>::deserialize(d)?.ok_or_else(|| de::Error::custom("a required object is null"))
}
/// Any value, with `null` read as its default (for required objects and lists).
pub fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: serde::Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize, Debug, PartialEq)]
    struct T {
        #[serde(default, deserialize_with = "super::opt_i64")]
        n: Option<i64>,
        #[serde(default, deserialize_with = "super::bool")]
        b: bool,
        #[serde(default, deserialize_with = "super::opt_string")]
        s: Option<String>,
    }

    #[test]
    fn accepts_numbers_and_booleans_as_strings_and_back() {
        let t: T = serde_json::from_str(r#"{"n":"2011","b":"true","s":12}"#).unwrap();
        assert_eq!(
            t,
            T {
                n: Some(2011),
                b: true,
                s: Some("12".into())
            }
        );
        let t: T = serde_json::from_str(r#"{"n":null,"b":1}"#).unwrap();
        assert_eq!(
            t,
            T {
                n: None,
                b: true,
                s: None
            }
        );
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct Inner {
        #[serde(deserialize_with = "super::id")]
        id: String,
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct Outer {
        #[serde(deserialize_with = "super::object")]
        inner: Inner,
    }

    #[test]
    fn an_id_is_a_string_or_a_number_and_never_null_or_absent() {
        let id = |json: &str| serde_json::from_str::<Inner>(json).map(|i| i.id);
        assert_eq!(id(r#"{"id":"u1"}"#).unwrap(), "u1");
        assert_eq!(id(r#"{"id":42}"#).unwrap(), "42");
        assert_eq!(id(r#"{"id":""}"#).unwrap(), "", "kept as sent");
        for bad in [r#"{"id":null}"#, r#"{}"#, r#"{"id":true}"#, r#"{"id":{}}"#] {
            assert!(id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_required_object_with_an_id_is_never_null_or_absent() {
        let outer: Outer = serde_json::from_str(r#"{"inner":{"id":"g1"}}"#).unwrap();
        assert_eq!(outer.inner.id, "g1");
        for bad in [r#"{"inner":null}"#, r#"{}"#, r#"{"inner":{}}"#] {
            assert!(serde_json::from_str::<Outer>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rejects_structure_and_garbage() {
        assert!(serde_json::from_str::<T>(r#"{"n":"abc"}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"n":[1]}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"b":{}}"#).is_err());
    }
}
