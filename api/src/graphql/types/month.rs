use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};

/// A calendar month, `YYYY-MM` (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month(pub moneta_core::month::Month);

#[Scalar(name = "Month")]
impl ScalarType for Month {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => s
                .parse()
                .map(Month)
                .map_err(|e: moneta_core::month::InvalidMonth| InputValueError::custom(e)),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}
