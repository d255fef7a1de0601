//! From a PMML document to a [`PmmlScorecard`]: every element either understood, ignored
//! because it cannot change the score (`Header`, `Output`, `ModelStats`, other `Extension`s),
//! or refused by name and line.

use super::super::protected;
use super::super::scale::{BandRange, BandTable, ModelScale};
use super::field::{DataType, InputField, Interval, InvalidTreatment, Literal, Outliers};
use super::predicate::{BooleanOperator, Operator, Predicate};
use super::{
    At, Attribute, Characteristic, MAX_PMML_BYTES, MAX_PMML_NODES, PmmlError, PmmlScorecard,
    ReasonCodeAlgorithm,
};
use crate::domain::band::RiskBand;
use aval_credit::ScoreScale;
use roxmltree::{Document, Node, ParsingOptions};
use std::collections::HashMap;

type Result<T> = std::result::Result<T, PmmlError>;

/// The element names of PMML's models, to say which model a document has instead.
const MODEL_ELEMENTS: &[&str] = &[
    "AnomalyDetectionModel",
    "AssociationModel",
    "BayesianNetworkModel",
    "BaselineModel",
    "ClusteringModel",
    "GaussianProcessModel",
    "GeneralRegressionModel",
    "MiningModel",
    "NaiveBayesModel",
    "NearestNeighborModel",
    "NeuralNetwork",
    "RegressionModel",
    "RuleSetModel",
    "SequenceModel",
    "Scorecard",
    "SupportVectorMachineModel",
    "TextModel",
    "TimeSeriesModel",
    "TreeModel",
];

/// Elements whose `name` names a field (or what a field is about) for the art. 7-A guard.
const NAMING_ELEMENTS: &[&str] = &[
    "DataField",
    "DerivedField",
    "MiningField",
    "OutputField",
    "Characteristic",
    "ParameterField",
    "DefineFunction",
];

/// The name of Aval's scale extension.
pub const SCALE_EXTENSION: &str = "aval:scale";

/// Parses a PMML 4.x document holding one Scorecard. Data about protected subjects (Lei
/// 12.414 art. 7-A) is refused before anything else is looked at, wherever it is named.
pub fn parse(document: &str) -> Result<PmmlScorecard> {
    if document.len() > MAX_PMML_BYTES {
        return Err(PmmlError::TooLarge {
            size: document.len(),
            limit: MAX_PMML_BYTES,
        });
    }
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_PMML_NODES,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(document, options).map_err(|e| PmmlError::NotXml {
        line: e.pos().row,
        message: e.to_string(),
    })?;
    let root = doc.root_element();
    check_root(root)?;
    guard(root)?;

    let mut dictionary = None;
    let mut models = Vec::new();
    for child in elements(root) {
        match child.tag_name().name() {
            "Header" | "MiningBuildTask" | "Extension" => {}
            "DataDictionary" => dictionary = Some(data_dictionary(child)?),
            "TransformationDictionary" => no_transformations(child)?,
            name if MODEL_ELEMENTS.contains(&name) => models.push(child),
            _ => return Err(unsupported(child, "this element")),
        }
    }
    let scorecards: Vec<Node> = models
        .iter()
        .copied()
        .filter(|m| m.tag_name().name() == "Scorecard")
        .collect();
    let Some(&scorecard_node) = scorecards.first() else {
        return Err(PmmlError::NoScorecard {
            found: models
                .iter()
                .map(|m| m.tag_name().name().to_owned())
                .collect(),
        });
    };
    if let Some(second) = models.get(1) {
        return Err(unsupported(*second, "a second model in one document"));
    }
    let dictionary =
        dictionary.ok_or_else(|| invalid(root, "the document has no DataDictionary"))?;
    let root_scale = scale_extension(root)?;
    scorecard(scorecard_node, &dictionary, root_scale)
}

fn check_root(root: Node) -> Result<()> {
    let name = root.tag_name();
    if name.name() != "PMML" {
        return Err(PmmlError::NotPmml {
            root: name.name().to_owned(),
        });
    }
    if let Some(namespace) = name.namespace() {
        let Some(version) = namespace.strip_prefix("http://www.dmg.org/PMML-") else {
            return Err(PmmlError::NotPmml {
                root: format!("{{{namespace}}}PMML"),
            });
        };
        if !version.starts_with("4_") {
            return Err(PmmlError::Version {
                version: version.replace('_', "."),
            });
        }
    }
    let version = required(root, "version")?;
    let major = version.split('.').next().unwrap_or_default();
    if major != "4" || !version.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(PmmlError::Version {
            version: version.to_owned(),
        });
    }
    Ok(())
}

/// The art. 7-A guard over every field name, display name and field reference.
fn guard(root: Node) -> Result<()> {
    for node in root.descendants().filter(Node::is_element) {
        if node.ancestors().any(|a| a.tag_name().name() == "Extension") {
            continue;
        }
        let element = node.tag_name().name();
        let mut identifiers = vec![node.attribute("displayName"), node.attribute("field")];
        if NAMING_ELEMENTS.contains(&element) {
            identifiers.push(node.attribute("name"));
        }
        for identifier in identifiers.into_iter().flatten() {
            let at = At {
                element: element.to_owned(),
                name: Some(identifier.to_owned()),
                line: line(node),
            };
            protected::check(at, identifier)?;
        }
    }
    Ok(())
}

/// A DataField: what the DataDictionary declares about one field.
struct DataField {
    data_type: DataType,
    optype: String,
    valid: Vec<Literal>,
    invalid: Vec<Literal>,
    missing: Vec<Literal>,
    intervals: Vec<Interval>,
}

fn data_dictionary(node: Node) -> Result<HashMap<String, DataField>> {
    let mut fields = HashMap::new();
    for child in elements(node) {
        match child.tag_name().name() {
            "Extension" => {}
            "DataField" => {
                let name = required(child, "name")?;
                let field = data_field(child)?;
                if fields.insert(name.to_owned(), field).is_some() {
                    return Err(invalid(child, "a field of that name is already declared"));
                }
            }
            _ => return Err(unsupported(child, "this element")),
        }
    }
    Ok(fields)
}

fn data_field(node: Node) -> Result<DataField> {
    let optype = required(node, "optype")?;
    if !["categorical", "ordinal", "continuous"].contains(&optype) {
        return Err(invalid(
            node,
            format!("optype `{optype}` is not one of categorical, ordinal, continuous"),
        ));
    }
    let type_name = required(node, "dataType")?;
    let data_type = DataType::parse(type_name)
        .ok_or_else(|| unsupported(node, format!("dataType `{type_name}`")))?;
    let mut field = DataField {
        data_type,
        optype: optype.to_owned(),
        valid: vec![],
        invalid: vec![],
        missing: vec![],
        intervals: vec![],
    };
    for child in elements(node) {
        match child.tag_name().name() {
            "Extension" => {}
            "Value" => {
                let value = literal(child, data_type, required(child, "value")?)?;
                match child.attribute("property").unwrap_or("valid") {
                    "valid" => field.valid.push(value),
                    "invalid" => field.invalid.push(value),
                    "missing" => field.missing.push(value),
                    other => {
                        return Err(invalid(
                            child,
                            format!("property `{other}` is not one of valid, invalid, missing"),
                        ));
                    }
                }
            }
            "Interval" => {
                if field.optype != "continuous" || !data_type.is_numeric() {
                    return Err(invalid(
                        child,
                        "an Interval belongs to a continuous numeric field",
                    ));
                }
                let closure = required(child, "closure")?;
                let (left_closed, right_closed) = match closure {
                    "openClosed" => (false, true),
                    "openOpen" => (false, false),
                    "closedOpen" => (true, false),
                    "closedClosed" => (true, true),
                    other => {
                        return Err(invalid(
                            child,
                            format!("closure `{other}` is not an interval closure"),
                        ));
                    }
                };
                field.intervals.push(Interval {
                    left: number(child, "leftMargin")?,
                    right: number(child, "rightMargin")?,
                    left_closed,
                    right_closed,
                });
            }
            _ => return Err(unsupported(child, "this element")),
        }
    }
    Ok(field)
}

fn no_transformations(node: Node) -> Result<()> {
    match elements(node).find(|c| c.tag_name().name() != "Extension") {
        Some(child) => Err(unsupported(child, "a derived field or function")),
        None => Ok(()),
    }
}

/// The mining schema: the active fields in document order, and every field it names.
struct MiningSchema {
    inputs: Vec<InputField>,
    others: Vec<String>,
}

fn scorecard(
    node: Node,
    dictionary: &HashMap<String, DataField>,
    root_scale: Option<ModelScale>,
) -> Result<PmmlScorecard> {
    let function = required(node, "functionName")?;
    if function != "regression" {
        return Err(unsupported(
            node,
            format!("functionName `{function}` (a Scorecard is a regression)"),
        ));
    }
    if !boolean(node, "isScorable", true)? {
        return Err(unsupported(node, "a Scorecard marked isScorable=\"false\""));
    }
    let use_reason_codes = boolean(node, "useReasonCodes", true)?;
    let algorithm = match node
        .attribute("reasonCodeAlgorithm")
        .unwrap_or("pointsBelow")
    {
        "pointsBelow" => ReasonCodeAlgorithm::PointsBelow,
        "pointsAbove" => ReasonCodeAlgorithm::PointsAbove,
        other => {
            return Err(invalid(
                node,
                format!("reasonCodeAlgorithm `{other}` is not pointsBelow or pointsAbove"),
            ));
        }
    };
    // Informational only, but it must be one of the specification's values.
    let method = node.attribute("baselineMethod").unwrap_or("other");
    if !["max", "min", "mean", "neutral", "other"].contains(&method) {
        return Err(invalid(
            node,
            format!("baselineMethod `{method}` is not one of max, min, mean, neutral, other"),
        ));
    }
    let initial_score = number(node, "initialScore")?.unwrap_or(0.0);
    let model_baseline = number(node, "baselineScore")?;

    let mut schema = None;
    let mut characteristics_node = None;
    for child in elements(node) {
        match child.tag_name().name() {
            "Extension" | "Output" | "ModelStats" | "ModelExplanation" | "ModelVerification" => {}
            "MiningSchema" => schema = Some(mining_schema(child, dictionary)?),
            "LocalTransformations" => no_transformations(child)?,
            "Characteristics" => characteristics_node = Some(child),
            "Targets" => return Err(unsupported(child, "Targets (they rescale the score)")),
            _ => return Err(unsupported(child, "this element")),
        }
    }
    let schema = schema.ok_or_else(|| invalid(node, "the Scorecard has no MiningSchema"))?;
    let characteristics_node = characteristics_node
        .ok_or_else(|| invalid(node, "the Scorecard has no Characteristics"))?;
    let fields = Fields {
        dictionary,
        schema: &schema,
    };

    let mut reason_codes: Vec<String> = Vec::new();
    let mut code_index = |code: Option<&str>| -> Option<usize> {
        let code = code?;
        Some(match reason_codes.iter().position(|c| c == code) {
            Some(i) => i,
            None => {
                reason_codes.push(code.to_owned());
                reason_codes.len() - 1
            }
        })
    };
    let mut characteristics: Vec<Characteristic> = Vec::new();
    for child in elements(characteristics_node) {
        match child.tag_name().name() {
            "Extension" => continue,
            "Characteristic" => {}
            _ => return Err(unsupported(child, "this element")),
        }
        let label = child.attribute("name").map_or_else(
            || format!("Characteristic[{}]", characteristics.len() + 1),
            str::to_owned,
        );
        let own_code = code_index(child.attribute("reasonCode"));
        let baseline = match (
            number(child, "baselineScore")?.or(model_baseline),
            use_reason_codes,
        ) {
            (Some(b), _) => b,
            (None, false) => 0.0,
            (None, true) => {
                return Err(invalid(
                    child,
                    "with useReasonCodes a Characteristic needs a baselineScore (its own or the Scorecard's)",
                ));
            }
        };
        let mut attributes = Vec::new();
        for attribute in elements(child) {
            match attribute.tag_name().name() {
                "Extension" => continue,
                "Attribute" => {}
                _ => return Err(unsupported(attribute, "this element")),
            }
            let code = code_index(attribute.attribute("reasonCode")).or(own_code);
            if use_reason_codes && code.is_none() {
                return Err(invalid(
                    attribute,
                    "with useReasonCodes an Attribute needs a reasonCode (its own or its Characteristic's)",
                ));
            }
            let mut predicate = None;
            for part in elements(attribute) {
                match part.tag_name().name() {
                    "Extension" => {}
                    "ComplexPartialScore" => {
                        return Err(unsupported(part, "ComplexPartialScore (an expression)"));
                    }
                    _ if predicate.is_some() => {
                        return Err(invalid(part, "an Attribute has exactly one predicate"));
                    }
                    _ => predicate = Some(fields.predicate(part)?),
                }
            }
            let predicate =
                predicate.ok_or_else(|| invalid(attribute, "the Attribute has no predicate"))?;
            let partial_score = number(attribute, "partialScore")?
                .ok_or_else(|| invalid(attribute, "the Attribute has no partialScore"))?;
            attributes.push(Attribute {
                predicate,
                partial_score,
                reason_code: code,
            });
        }
        if attributes.is_empty() {
            return Err(invalid(child, "the Characteristic has no Attribute"));
        }
        characteristics.push(Characteristic {
            label,
            baseline,
            attributes,
        });
    }
    if characteristics.is_empty() {
        return Err(invalid(
            characteristics_node,
            "the Scorecard has no Characteristic",
        ));
    }
    let scale = match scale_extension(node)? {
        Some(scale) => scale,
        None => root_scale.unwrap_or_default(),
    };
    Ok(PmmlScorecard {
        model_name: node.attribute("modelName").map(str::to_owned),
        inputs: schema.inputs,
        initial_score,
        use_reason_codes,
        algorithm,
        characteristics,
        reason_codes,
        scale,
    })
}

fn mining_schema(node: Node, dictionary: &HashMap<String, DataField>) -> Result<MiningSchema> {
    let mut schema = MiningSchema {
        inputs: vec![],
        others: vec![],
    };
    for child in elements(node) {
        match child.tag_name().name() {
            "Extension" => continue,
            "MiningField" => {}
            _ => return Err(unsupported(child, "this element")),
        }
        let name = required(child, "name")?;
        let Some(field) = dictionary.get(name) else {
            return Err(PmmlError::UndeclaredField {
                at: at(child),
                field: name.to_owned(),
                scope: "in the DataDictionary",
            });
        };
        let seen =
            schema.inputs.iter().any(|f| f.name == name) || schema.others.iter().any(|f| f == name);
        if seen {
            return Err(invalid(child, "the field is already in the MiningSchema"));
        }
        if child
            .attribute("optype")
            .is_some_and(|optype| optype != field.optype)
        {
            return Err(unsupported(child, "an optype other than the DataField's"));
        }
        let usage = child.attribute("usageType").unwrap_or("active");
        match usage {
            "active" => {}
            "predicted" | "target" | "supplementary" | "group" | "order" | "frequencyWeight"
            | "analysisWeight" => {
                schema.others.push(name.to_owned());
                continue;
            }
            other => {
                return Err(invalid(
                    child,
                    format!("usageType `{other}` is not a PMML usage type"),
                ));
            }
        }
        schema.inputs.push(input_field(child, name, field)?);
    }
    Ok(schema)
}

fn input_field(node: Node, name: &str, field: &DataField) -> Result<InputField> {
    let data_type = field.data_type;
    let replacement = |attribute: &str| -> Result<Option<Literal>> {
        node.attribute(attribute)
            .map(|text| literal(node, data_type, text))
            .transpose()
    };
    let missing_treatment = node.attribute("missingValueTreatment").unwrap_or("asIs");
    if ![
        "asIs",
        "asMean",
        "asMode",
        "asMedian",
        "asValue",
        "returnInvalid",
    ]
    .contains(&missing_treatment)
    {
        return Err(invalid(
            node,
            format!("missingValueTreatment `{missing_treatment}` is not a PMML treatment"),
        ));
    }
    let invalid_treatment = match node
        .attribute("invalidValueTreatment")
        .unwrap_or("returnInvalid")
    {
        "returnInvalid" => InvalidTreatment::ReturnInvalid,
        "asIs" => InvalidTreatment::AsIs,
        "asMissing" => InvalidTreatment::AsMissing,
        "asValue" => InvalidTreatment::AsValue,
        other => {
            return Err(invalid(
                node,
                format!("invalidValueTreatment `{other}` is not a PMML treatment"),
            ));
        }
    };
    let invalid_replacement = replacement("invalidValueReplacement")?;
    if invalid_treatment == InvalidTreatment::AsValue && invalid_replacement.is_none() {
        return Err(invalid(
            node,
            "invalidValueTreatment asValue needs an invalidValueReplacement",
        ));
    }
    let bounds = || -> Result<(f64, f64)> {
        if !data_type.is_numeric() {
            return Err(invalid(node, "outliers are treated only on numeric fields"));
        }
        match (number(node, "lowValue")?, number(node, "highValue")?) {
            (Some(low), Some(high)) if low <= high => Ok((low, high)),
            _ => Err(invalid(
                node,
                "outlier treatment needs lowValue ≤ highValue",
            )),
        }
    };
    let outliers = match node.attribute("outliers").unwrap_or("asIs") {
        "asIs" => Outliers::AsIs,
        "asMissingValues" => bounds().map(|(low, high)| Outliers::AsMissingValues { low, high })?,
        "asExtremeValues" => bounds().map(|(low, high)| Outliers::AsExtremeValues { low, high })?,
        other => {
            return Err(invalid(
                node,
                format!("outliers `{other}` is not a PMML outlier treatment"),
            ));
        }
    };
    Ok(InputField {
        name: name.to_owned(),
        data_type,
        valid: field.valid.clone(),
        invalid: field.invalid.clone(),
        missing: field.missing.clone(),
        intervals: field.intervals.clone(),
        missing_replacement: replacement("missingValueReplacement")?,
        missing_is_invalid: missing_treatment == "returnInvalid",
        invalid_treatment,
        invalid_replacement,
        outliers,
    })
}

struct Fields<'a> {
    dictionary: &'a HashMap<String, DataField>,
    schema: &'a MiningSchema,
}

impl Fields<'_> {
    /// The index and type of the active field a predicate reads.
    fn resolve(&self, node: Node) -> Result<(usize, DataType)> {
        let name = required(node, "field")?;
        let undeclared = |scope| PmmlError::UndeclaredField {
            at: at(node),
            field: name.to_owned(),
            scope,
        };
        if !self.dictionary.contains_key(name) {
            return Err(undeclared("in the DataDictionary"));
        }
        self.schema
            .inputs
            .iter()
            .position(|f| f.name == name)
            .map(|i| (i, self.schema.inputs[i].data_type))
            .ok_or_else(|| undeclared("as an active MiningField"))
    }

    fn predicate(&self, node: Node) -> Result<Predicate> {
        match node.tag_name().name() {
            "True" => Ok(Predicate::True),
            "False" => Ok(Predicate::False),
            "SimplePredicate" => {
                let (field, data_type) = self.resolve(node)?;
                let text = required(node, "operator")?;
                let operator = Operator::parse(text).ok_or_else(|| {
                    invalid(node, format!("operator `{text}` is not a PMML operator"))
                })?;
                if operator.is_ordering() && !data_type.is_numeric() {
                    return Err(unsupported(
                        node,
                        format!("`{text}` on a {} field", data_type.as_str()),
                    ));
                }
                let value = match operator {
                    Operator::IsMissing | Operator::IsNotMissing => None,
                    _ => Some(literal(node, data_type, required(node, "value")?)?),
                };
                Ok(Predicate::Simple {
                    field,
                    operator,
                    value,
                })
            }
            "SimpleSetPredicate" => {
                let (field, data_type) = self.resolve(node)?;
                let is_in = match required(node, "booleanOperator")? {
                    "isIn" => true,
                    "isNotIn" => false,
                    other => {
                        return Err(invalid(
                            node,
                            format!("booleanOperator `{other}` is not isIn or isNotIn"),
                        ));
                    }
                };
                let mut arrays = elements(node).filter(|c| c.tag_name().name() != "Extension");
                let (Some(array), None) = (arrays.next(), arrays.next()) else {
                    return Err(invalid(node, "a SimpleSetPredicate has exactly one Array"));
                };
                if array.tag_name().name() != "Array" {
                    return Err(unsupported(array, "this element"));
                }
                let tokens = array_tokens(array.text().unwrap_or_default())
                    .map_err(|message| invalid(array, message))?;
                if let Some(n) = array.attribute("n")
                    && n.parse::<usize>().ok() != Some(tokens.len())
                {
                    return Err(invalid(
                        array,
                        format!("n=\"{n}\" but the Array has {} values", tokens.len()),
                    ));
                }
                let values = tokens
                    .iter()
                    .map(|t| literal(array, data_type, t))
                    .collect::<Result<Vec<_>>>()?;
                Ok(Predicate::Set {
                    field,
                    is_in,
                    values,
                })
            }
            "CompoundPredicate" => {
                let text = required(node, "booleanOperator")?;
                let operator = BooleanOperator::parse(text).ok_or_else(|| {
                    invalid(
                        node,
                        format!("booleanOperator `{text}` is not and, or, xor or surrogate"),
                    )
                })?;
                let predicates = elements(node)
                    .filter(|c| c.tag_name().name() != "Extension")
                    .map(|c| self.predicate(c))
                    .collect::<Result<Vec<_>>>()?;
                if predicates.len() < 2 {
                    return Err(invalid(
                        node,
                        "a CompoundPredicate has at least two predicates",
                    ));
                }
                Ok(Predicate::Compound {
                    operator,
                    predicates,
                })
            }
            _ => Err(unsupported(node, "this predicate")),
        }
    }
}

/// The values of an `Array`: separated by whitespace; a value with spaces is in double
/// quotes, where `\"` is a quote.
fn array_tokens(text: &str) -> std::result::Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut token = String::new();
            loop {
                match chars.next() {
                    None => return Err("the Array has an unterminated quoted value".into()),
                    Some('\\') if chars.peek() == Some(&'"') => {
                        chars.next();
                        token.push('"');
                    }
                    Some('"') => break,
                    Some(other) => token.push(other),
                }
            }
            tokens.push(token);
        } else {
            let mut token = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                token.push(c);
                chars.next();
            }
            tokens.push(token);
        }
    }
    Ok(tokens)
}

/// Aval's `aval:scale` Extension among `node`'s children, if there is one.
fn scale_extension(node: Node) -> Result<Option<ModelScale>> {
    let mut extensions = elements(node).filter(|c| {
        c.tag_name().name() == "Extension" && c.attribute("name") == Some(SCALE_EXTENSION)
    });
    let Some(extension) = extensions.next() else {
        return Ok(None);
    };
    if let Some(second) = extensions.next() {
        return Err(invalid(second, "a second aval:scale Extension"));
    }
    let mut scale = None;
    let mut bands = Vec::new();
    for child in elements(extension) {
        match child.tag_name().name() {
            "Scale" if scale.is_none() => {
                let get = |name| {
                    number(child, name)?
                        .ok_or_else(|| invalid(child, format!("the Scale needs {name}")))
                };
                scale = Some(ScoreScale {
                    reference_score: get("basePoints")?,
                    reference_odds: get("baseOdds")?,
                    pdo: get("pointsToDoubleOdds")?,
                });
            }
            "Band" => {
                let risk = required(child, "risk")?;
                let risk = band(risk).ok_or_else(|| {
                    invalid(
                        child,
                        format!(
                            "risk `{risk}` is not one of very_low, low, medium, high, very_high"
                        ),
                    )
                })?;
                let bound = |name| -> Result<u32> {
                    required(child, name)?.parse().map_err(|_| {
                        invalid(child, format!("{name} must be a whole score 0..1000"))
                    })
                };
                bands.push(BandRange {
                    risk,
                    from: bound("from")?,
                    to: bound("to")?,
                });
            }
            _ => {
                return Err(invalid(
                    child,
                    "aval:scale holds one Scale and Band elements",
                ));
            }
        }
    }
    let bands = if bands.is_empty() {
        BandTable::platform()
    } else {
        BandTable::new(bands).map_err(|message| invalid(extension, message))?
    };
    ModelScale::new(scale.unwrap_or_default(), bands)
        .map(Some)
        .map_err(|message| invalid(extension, message))
}

fn band(text: &str) -> Option<RiskBand> {
    [
        RiskBand::VeryLow,
        RiskBand::Low,
        RiskBand::Medium,
        RiskBand::High,
        RiskBand::VeryHigh,
    ]
    .into_iter()
    .find(|b| b.as_str() == text)
}

fn elements<'a, 'input>(node: Node<'a, 'input>) -> impl Iterator<Item = Node<'a, 'input>> {
    node.children().filter(Node::is_element)
}

fn line(node: Node) -> u32 {
    node.document().text_pos_at(node.range().start).row
}

fn at(node: Node) -> At {
    At {
        element: node.tag_name().name().to_owned(),
        name: node
            .attribute("name")
            .or_else(|| node.attribute("field"))
            .map(str::to_owned),
        line: line(node),
    }
}

fn invalid(node: Node, message: impl Into<String>) -> PmmlError {
    PmmlError::Invalid {
        at: at(node),
        message: message.into(),
    }
}

fn unsupported(node: Node, what: impl Into<String>) -> PmmlError {
    PmmlError::Unsupported {
        at: at(node),
        what: what.into(),
    }
}

fn required<'a>(node: Node<'a, '_>, attribute: &str) -> Result<&'a str> {
    node.attribute(attribute)
        .ok_or_else(|| invalid(node, format!("the attribute `{attribute}` is required")))
}

/// A finite number attribute, if present.
fn number(node: Node, attribute: &str) -> Result<Option<f64>> {
    let Some(text) = node.attribute(attribute) else {
        return Ok(None);
    };
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .map(Some)
        .ok_or_else(|| {
            invalid(
                node,
                format!("`{attribute}` must be a finite number, not `{text}`"),
            )
        })
}

fn boolean(node: Node, attribute: &str, default: bool) -> Result<bool> {
    match node.attribute(attribute) {
        None => Ok(default),
        Some("true" | "1") => Ok(true),
        Some("false" | "0") => Ok(false),
        Some(other) => Err(invalid(
            node,
            format!("`{attribute}` must be true or false, not `{other}`"),
        )),
    }
}

fn literal(node: Node, data_type: DataType, text: &str) -> Result<Literal> {
    data_type.literal(text).ok_or_else(|| {
        invalid(
            node,
            format!("`{text}` is not a {} value", data_type.as_str()),
        )
    })
}

#[cfg(test)]
pub fn array_tokens_for_tests(text: &str) -> std::result::Result<Vec<String>, String> {
    array_tokens(text)
}
