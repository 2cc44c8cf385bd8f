//! `genauth auth validate-cas-ticket`.

use clap::Args;
use genauth_core::protocol::CasFormat;
use genauth_core::{AuthenticationConfig, SecretString};
use serde_json::{json, Value};

use super::protocol::{run_call, to_json, DryRun, ProtocolCall};
use super::{Cmd, Cx, Parent};
use crate::creds::Creds;
use crate::Failure;

/// The CAS version.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum CasVersion {
    /// CAS 1.0 `/validate` (plain text)
    #[value(name = "1")]
    V1,
    /// CAS 2.0/3.0 `/serviceValidate`
    #[value(name = "2")]
    V2,
}

/// The answer format asked of `/serviceValidate`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Xml,
    Json,
}

/// Validate a CAS ticket: CAS 1.0 `/validate` or 2.0/3.0 `/serviceValidate`
#[derive(Args, Debug)]
pub struct ValidateCasTicket {
    /// The service ticket (a secret)
    #[arg(long, allow_hyphen_values = true)]
    ticket: String,
    /// The service URL the ticket was issued for
    #[arg(long)]
    service: String,
    /// 1: `/validate` (plain text); 2: `/serviceValidate`
    #[arg(long, value_enum, default_value = "2")]
    cas_version: CasVersion,
    /// The answer format asked of `/serviceValidate`
    #[arg(long, value_enum, default_value = "xml")]
    format: Format,
    #[command(flatten)]
    dry: DryRun,
}

impl ProtocolCall for ValidateCasTicket {
    fn request(
        &self,
        config: &AuthenticationConfig,
        _creds: &Creds,
        hide: &dyn Fn(SecretString) -> SecretString,
    ) -> Result<http::Request<genauth_core::Body>, Failure> {
        let ticket = hide(SecretString::from(self.ticket.as_str()));
        Ok(match self.cas_version {
            CasVersion::V1 => config.validate_ticket_v1_request(ticket.expose(), &self.service)?,
            CasVersion::V2 => {
                let format = match self.format {
                    Format::Json => CasFormat::Json,
                    Format::Xml => CasFormat::Xml,
                };
                config.validate_ticket_v2_request(ticket.expose(), &self.service, format)?
            }
        })
    }
    fn output(&self, resp: http::Response<bytes::Bytes>) -> Result<Value, Failure> {
        use genauth_core::protocol::cas;
        Ok(match self.cas_version {
            CasVersion::V1 => json!({ "user": cas::parse_validate_v1_response(resp)? }),
            CasVersion::V2 => to_json(&cas::parse_service_validate_response(resp)?),
        })
    }
}

impl Cmd for ValidateCasTicket {
    const NAME: &'static str = "validate-cas-ticket";
    const PARENTS: &'static [Parent] = &[Parent::Auth];
    fn run(self, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
        run_call(&self, &self.dry, cx)
    }
}
