/// Declares a code enum: each variant with its wire spelling and one line of documentation
/// (and, for [`ErrorCode`], its HTTP status).
macro_rules! codes {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[doc = $doc:literal])+ $variant:ident = $text:literal $(=> $http:literal)? ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[doc = $doc])+ $variant ),+
        }

        impl $name {
            /// Every code, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The spelling on the wire.
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            /// The one-line documentation of the code.
            pub fn description(self) -> &'static str {
                match self { $(Self::$variant => concat!($($doc),+).trim_ascii()),+ }
            }

            /// The code spelled `text`, if it is one of ours.
            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|c| c.as_str() == text)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        codes!(@http $name { $($variant $(=> $http)?),+ });
    };
    (@http $name:ident { $($variant:ident => $http:literal),+ }) => {
        impl $name {
            /// The HTTP status the gateway answers with.
            pub const fn http_status(self) -> u16 {
                match self { $(Self::$variant => $http),+ }
            }
        }
    };
    (@http $name:ident { $($variant:ident),+ }) => {};
}

codes! {
    /// What went wrong with a request, as partners match on it (`error.code` in the envelope,
    /// `google.rpc.ErrorInfo.reason` on gRPC).
    pub enum ErrorCode {
        /// The CPF (or CNPJ) is missing or fails its check digits.
        InvalidDocument = "INVALID_DOCUMENT" => 400,
        /// A field of the request is invalid; `details` names each one.
        InvalidArgument = "INVALID_ARGUMENT" => 400,
        /// The body is not the JSON the route expects (not JSON, or a value of the wrong type).
        InvalidBody = "INVALID_BODY" => 400,
        /// The credit proposal is invalid; `details` names every invalid field at once.
        InvalidProposal = "INVALID_PROPOSAL" => 400,
        /// No valid bearer token (or API key): missing, malformed, expired or forged.
        Unauthenticated = "UNAUTHENTICATED" => 401,
        /// The token is valid but lacks the scope the route needs.
        PermissionDenied = "PERMISSION_DENIED" => 403,
        /// No data about this CPF: nothing was delivered and nothing is billed.
        CpfNotFound = "CPF_NOT_FOUND" => 404,
        /// There is data about this CPF, but not what the model reads: nothing was delivered
        /// and nothing is billed.
        InsufficientData = "INSUFFICIENT_DATA" => 422,
        /// No such score model for this tenant.
        ModelNotFound = "MODEL_NOT_FOUND" => 404,
        /// No such resource (or route) for this tenant.
        NotFound = "NOT_FOUND" => 404,
        /// The route exists but does not take this HTTP method.
        MethodNotAllowed = "METHOD_NOT_ALLOWED" => 405,
        /// The proposal id was already used with a different body.
        ProposalConflict = "PROPOSAL_CONFLICT" => 409,
        /// The step is not allowed from the resource's current status, which the message
        /// names (an analyst resolving an analysis that is not in manual analysis).
        InvalidTransition = "INVALID_TRANSITION" => 409,
        /// A resource with that id already exists.
        AlreadyExists = "ALREADY_EXISTS" => 409,
        /// The request conflicts with the resource's current state.
        FailedPrecondition = "FAILED_PRECONDITION" => 422,
        /// The tenant's plan is exhausted or expired, or it has none.
        QuotaExceeded = "QUOTA_EXCEEDED" => 429,
        /// The request is larger than the service accepts.
        ResourceExhausted = "RESOURCE_EXHAUSTED" => 429,
        /// The caller gave up before the answer was ready.
        Cancelled = "CANCELLED" => 499,
        /// The route exists but is not available yet.
        NotImplemented = "NOT_IMPLEMENTED" => 501,
        /// A service is temporarily unavailable; retry later.
        Unavailable = "UNAVAILABLE" => 503,
        /// A challenge answer's CPF scores could not be fetched; nothing was stored or billed,
        /// retry. (A new proposal waits instead: `waiting_for_data`.)
        ScoresUnavailable = "SCORES_UNAVAILABLE" => 503,
        /// A service did not answer in time.
        DeadlineExceeded = "DEADLINE_EXCEEDED" => 504,
        /// Something failed inside Aval; the request id finds it in the logs.
        Internal = "INTERNAL" => 500,
        /// A mesh workload called an RPC its certificate's identity may not call: a deployment
        /// mistake inside Aval, shown to partners as `INTERNAL`.
        MeshAccessDenied = "MESH_ACCESS_DENIED" => 500,
    }
}

codes! {
    /// What is wrong with one field (`details[].code` in the envelope,
    /// `google.rpc.BadRequest.FieldViolation.reason` on gRPC).
    pub enum FieldCode {
        /// The field is missing or blank.
        Required = "REQUIRED",
        /// The text is longer than allowed.
        TooLong = "TOO_LONG",
        /// The list has more items than allowed.
        TooMany = "TOO_MANY",
        /// The number is outside its allowed range.
        OutOfRange = "OUT_OF_RANGE",
        /// The text does not have the expected shape.
        InvalidFormat = "INVALID_FORMAT",
        /// Not an e-mail address.
        InvalidEmail = "INVALID_EMAIL",
        /// Not one of the allowed values, which the message lists.
        InvalidEnum = "INVALID_ENUM",
        /// Not a date (or date-time) in the expected format.
        InvalidDate = "INVALID_DATE",
        /// A date that has not happened yet.
        DateInFuture = "DATE_IN_FUTURE",
        /// Not a valid CPF.
        InvalidCpf = "INVALID_CPF",
        /// Not a valid CNPJ.
        InvalidCnpj = "INVALID_CNPJ",
        /// A document number with the wrong number of characters.
        InvalidLength = "INVALID_LENGTH",
        /// A document number with a character that is not allowed.
        InvalidCharacter = "INVALID_CHARACTER",
        /// A document number whose digits are all the same.
        RepeatedDigits = "REPEATED_DIGITS",
        /// A document number whose check digits do not match.
        InvalidCheckDigits = "INVALID_CHECK_DIGITS",
        /// The body (or this value) is not the JSON expected.
        InvalidJson = "INVALID_JSON",
        /// A value refused for a reason without a code of its own.
        Invalid = "INVALID",
    }
}

codes! {
    /// The token endpoint's errors, RFC 6749 §5.2: lower case, as OAuth2 libraries expect.
    pub enum OAuthError {
        /// A parameter is missing or malformed.
        InvalidRequest = "invalid_request",
        /// Client authentication failed (unknown client, wrong secret, disabled client).
        InvalidClient = "invalid_client",
        /// Only `client_credentials` is supported.
        UnsupportedGrantType = "unsupported_grant_type",
        /// A requested scope is not granted to the client.
        InvalidScope = "invalid_scope",
        /// The server failed; retry later.
        ServerError = "server_error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_is_spelled_once_and_parses_back() {
        let spellings: HashSet<_> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(spellings.len(), ErrorCode::ALL.len());
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(*code));
            assert!(!code.description().is_empty(), "{code}");
            assert!((400..600).contains(&code.http_status()), "{code}");
        }
        for code in FieldCode::ALL {
            assert_eq!(FieldCode::parse(code.as_str()), Some(*code));
        }
        assert_eq!(ErrorCode::parse("RATE_LIMITED"), None);
        assert_eq!(OAuthError::InvalidClient.as_str(), "invalid_client");
    }
}
