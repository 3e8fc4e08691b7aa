//! What an operation knows about its caller: the engine, how to write ARNs, and who signed.

use super::arn::Arns;
use crate::engine::Engine;

/// What an operation knows about its caller.
pub(crate) struct Call<'a> {
    pub engine: &'a Engine,
    pub arns: Arns,
    pub access_key_id: String,
}

impl Call<'_> {
    pub fn actor(&self) -> crate::audit::Actor<'_> {
        crate::audit::Actor::ApiKey(&self.access_key_id)
    }
}
