//! Serde data types of the GenAuth V3 API.
//!
//! This crate holds data only: the response envelope every `/api/v3` call answers
//! with, the typed `statusCode` / `apiCode` catalogue ([`codes`]), the pagination shape, a redacting [`SecretString`], tolerant decoding
//! helpers, and the request and response DTOs of every operation (generated from
//! the API description, see [`generated`]). It performs no I/O and knows nothing
//! about HTTP.
//!
//! Conventions of the generated types:
//! - a struct is named after its schema (`UserDto`, `SigninByCredentialsDto`);
//!   fields are the snake_case of the wire name, renamed back on the wire;
//! - the `…RespDto` envelopes are not generated: an operation's output is the
//!   envelope's `data` type, and `{list, totalCount}` pages are [`Page<T>`];
//! - an enum stored inline in a schema is named `{Schema}{Field}`; it has one
//!   variant per documented value and `Unknown(String)` for values the service
//!   adds later;
//! - string fields whose wire name is a password, a pass code, a secret or a
//!   token (`password`, `newPassword`, `passCode`, `clientSecret`, `secret`,
//!   `accessToken`, `id_token`, `refresh_token`, `token`, ...) are
//!   [`SecretString`], so `Debug` never prints them;
//! - types that appear in responses decode tolerantly: unknown fields are
//!   ignored, missing fields take their default, scalars accept their string
//!   form (and the reverse), unknown enum values land in `Unknown`, and a
//!   missing enum value is `Unknown("")`, never a real variant; required ids
//!   must be present (see `docs/errors.md`, "Missing values"); structure
//!   errors still fail. Types only ever sent keep required fields required.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

/// Defines a string enum with exact wire values and an `Unknown(String)`
/// catch-all, with tolerant decoding. Its `Default`, which a missing or `null`
/// value decodes to, is `Unknown("")`: never a real variant.
#[allow(unused_macros)] // unused when both client features are off
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $first:ident = $fw:literal $(, $var:ident = $wire:literal)* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            #[doc = concat!("The wire value `", $fw, "`.")]
            $first,
            $(
                #[doc = concat!("The wire value `", $wire, "`.")]
                $var,
            )*
            /// A value this SDK does not know yet, kept as the service sent it.
            Unknown(String),
        }

        impl $name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    Self::$first => $fw,
                    $(Self::$var => $wire,)*
                    Self::Unknown(s) => s,
                }
            }

            /// The variant of a wire value; unknown values become `Unknown`.
            pub fn from_wire(s: &str) -> Self {
                match s {
                    $fw => Self::$first,
                    $($wire => Self::$var,)*
                    _ => Self::Unknown(s.to_owned()),
                }
            }
        }

        impl Default for $name {
            /// `Unknown("")`: a missing value is never taken for a real one.
            fn default() -> Self {
                Self::Unknown(String::new())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok($crate::lenient::opt_string(d)?
                    .map(|s| Self::from_wire(&s))
                    .unwrap_or_default())
            }
        }
    };
}

pub mod codes;
pub mod envelope;
pub mod generated;
pub mod lenient;
pub mod page;
pub mod protocol;
pub mod secret;

pub use codes::{ApiCode, CodeInfo, StatusCode};
pub use envelope::Envelope;
#[allow(unused_imports)]
pub use generated::*;
pub use page::Page;
pub use secret::SecretString;
