//! What the outbox sends and what a page's receipts say.

crate::named_enum! {
    /// How a message travels.
    pub enum DeliveryKind {
        Email = "email",
        Sms = "sms",
        Voice = "voice",
        /// A Slack incoming webhook (incident notices).
        Slack = "slack",
        /// A JSON webhook (incident notices).
        Webhook = "webhook",
    }
}
crate::serde_by_name!(DeliveryKind);

crate::named_enum! {
    /// Where a delivery stands.
    pub enum DeliveryStatus {
        /// Waiting to be sent, or to be retried.
        Pending = "pending",
        /// Being handed to its transport; if the deadline passes (a crash), it is sent again
        /// with the same idempotency key.
        Sending = "sending",
        Sent = "sent",
        /// No transport is configured for its kind: kept here, sent nowhere.
        Outbox = "outbox",
        /// Every attempt failed.
        Failed = "failed",
    }
}
crate::serde_by_name!(DeliveryStatus);

crate::named_enum! {
    /// What happened to a page (after SSM Contacts' receipt types).
    pub enum ReceiptKind {
        Sent = "sent",
        Delivered = "delivered",
        Read = "read",
        Error = "error",
        Stop = "stop",
    }
}
crate::serde_by_name!(ReceiptKind);

impl From<crate::domain::contact::ChannelType> for DeliveryKind {
    /// A person's channel is reached by its own kind of message.
    fn from(kind: crate::domain::contact::ChannelType) -> Self {
        use crate::domain::contact::ChannelType;
        match kind {
            ChannelType::Email => DeliveryKind::Email,
            ChannelType::Sms => DeliveryKind::Sms,
            ChannelType::Voice => DeliveryKind::Voice,
        }
    }
}
