//! ARNs as the API hands them out and reads them back. The engine's ids are the last segment:
//! `arn:aws:ssm-contacts:<region>:<account>:contact/<alias>`, `contact-channel/<alias>/<id>`,
//! `rotation/<id>`, `engagement/<alias>/<id>`, `page/<alias>/<id>`; SSM Incidents ARNs have an
//! empty region: `response-plan/<name>`, `incident-record/<plan>/<id>`.

use super::wire::ApiError;

#[derive(Clone, Debug)]
pub struct Arns {
    pub region: String,
    pub account: String,
}

impl Arns {
    pub fn contact(&self, alias: &str) -> String {
        self.contacts(&format!("contact/{alias}"))
    }
    pub fn channel(&self, alias: &str, id: &str) -> String {
        self.contacts(&format!("contact-channel/{alias}/{id}"))
    }
    pub fn rotation(&self, id: &str) -> String {
        self.contacts(&format!("rotation/{id}"))
    }
    pub fn engagement(&self, alias: &str, id: &str) -> String {
        self.contacts(&format!("engagement/{alias}/{id}"))
    }
    pub fn page(&self, alias: &str, id: &str) -> String {
        self.contacts(&format!("page/{alias}/{id}"))
    }
    pub fn response_plan(&self, name: &str) -> String {
        format!("arn:aws:ssm-incidents::{}:response-plan/{name}", self.account)
    }
    pub fn incident(&self, plan: &str, id: &str) -> String {
        format!("arn:aws:ssm-incidents::{}:incident-record/{plan}/{id}", self.account)
    }
    fn contacts(&self, resource: &str) -> String {
        format!("arn:aws:ssm-contacts:{}:{}:{resource}", self.region, self.account)
    }
}

/// The engine id in an ARN of the given resource kind (`contact`, `rotation`, …), read from its
/// last segment; `member` names the request member in the error.
pub(crate) fn id_of(arn: &str, kind: &str, member: &str) -> Result<String, ApiError> {
    let resource = arn.splitn(6, ':').nth(5).filter(|_| arn.starts_with("arn:"));
    let id = resource.and_then(|r| {
        let mut segments = r.split('/');
        (segments.next() == Some(kind)).then(|| segments.next_back()).flatten()
    });
    match id {
        Some(id) if !id.is_empty() => Ok(id.to_owned()),
        _ => Err(ApiError::invalid(member, format!("is not the ARN of a {kind}"))),
    }
}

/// An incident id from an incident ARN, or the value itself when it is not one (an engagement's
/// `IncidentId` may name an incident of another system).
pub(crate) fn incident_id(value: &str) -> String {
    id_of(value, "incident-record", "IncidentId").unwrap_or_else(|_| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_arns() {
        let arns = Arns { region: "ap-northeast-1".into(), account: "000000000000".into() };
        assert_eq!(id_of(&arns.contact("tanaka"), "contact", "ContactId").unwrap(), "tanaka");
        assert_eq!(id_of(&arns.channel("tanaka", "c1"), "contact-channel", "X").unwrap(), "c1");
        assert_eq!(id_of(&arns.incident("sev1", "i1"), "incident-record", "arn").unwrap(), "i1");
        assert!(id_of(&arns.rotation("r1"), "contact", "ContactId").is_err());
        assert!(id_of("tanaka", "contact", "ContactId").is_err());
        assert_eq!(incident_id("INC-7"), "INC-7");
    }
}
