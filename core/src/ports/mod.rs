//! Ports: what the domain needs from the outside world, as traits.
//! `platform` implements them (Redis or in-process); tests may too.

mod event_bus;
mod health;

pub use event_bus::{EventBus, EventStream, UserEvent};
pub use health::{HealthProbe, HealthReport};
