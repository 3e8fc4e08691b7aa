//! SSM Contacts lists that the backend and the notice watcher both read, each read whole
//! (every page of results), with AWS errors in the console's terms.

use aws_sdk_ssmcontacts as contacts;
use contacts::types::{ContactChannel, Engagement, Page, Rotation};

use super::errors::aws_error;
use app::error::AppError;

/// Every engagement, or every engagement of one incident.
pub(super) async fn engagements(
    c: &contacts::Client,
    incident_arn: Option<String>,
) -> Result<Vec<Engagement>, AppError> {
    c.list_engagements()
        .set_incident_id(incident_arn)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(|e| aws_error("ssm-contacts:ListEngagements", &e))
}

/// The pages of one engagement.
pub(super) async fn pages_of_engagement(c: &contacts::Client, engagement_arn: &str) -> Result<Vec<Page>, AppError> {
    c.list_pages_by_engagement()
        .engagement_id(engagement_arn)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(|e| aws_error("ssm-contacts:ListPagesByEngagement", &e))
}

/// A contact's channels.
pub(super) async fn channels_of(c: &contacts::Client, contact_arn: &str) -> Result<Vec<ContactChannel>, AppError> {
    c.list_contact_channels()
        .contact_id(contact_arn)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(|e| aws_error("ssm-contacts:ListContactChannels", &e))
}

/// Every rotation.
pub(super) async fn rotations(c: &contacts::Client) -> Result<Vec<Rotation>, AppError> {
    c.list_rotations()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(|e| aws_error("ssm-contacts:ListRotations", &e))
}
