//! Reads the OpenAPI description into the generator's model: structs, enums
//! and operations, with every naming and typing decision made here.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// Which client an operation (or a type's user) belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Client {
    Authentication,
    Management,
}

impl Client {
    pub fn module(self) -> &'static str {
        match self {
            Client::Authentication => "authentication",
            Client::Management => "management",
        }
    }
    pub fn rust_type(self) -> &'static str {
        match self {
            Client::Authentication => "AuthenticationClient",
            Client::Management => "ManagementClient",
        }
    }
}

/// A Rust type of a field, a parameter or an output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    Str,
    Secret,
    I64,
    F64,
    Bool,
    Value,
    Unit,
    Enum(String),
    Struct(String),
    Vec(Box<Ty>),
    Page(Box<Ty>),
}

impl Ty {
    pub fn rust(&self) -> String {
        self.rust_p("")
    }
    /// The type with `p` in front of every name from genauth-types.
    pub fn rust_p(&self, p: &str) -> String {
        match self {
            Ty::Str => "String".into(),
            Ty::Secret => format!("{p}SecretString"),
            Ty::I64 => "i64".into(),
            Ty::F64 => "f64".into(),
            Ty::Bool => "bool".into(),
            Ty::Value => "serde_json::Value".into(),
            Ty::Unit => "()".into(),
            Ty::Enum(n) | Ty::Struct(n) => format!("{p}{n}"),
            Ty::Vec(t) => format!("Vec<{}>", t.rust_p(p)),
            Ty::Page(t) => format!("{p}Page<{}>", t.rust_p(p)),
        }
    }
    /// The `lenient` function suffix for scalar types.
    pub fn lenient(&self) -> Option<&'static str> {
        match self {
            Ty::Str => Some("string"),
            Ty::Secret => Some("secret"),
            Ty::I64 => Some("i64"),
            Ty::F64 => Some("f64"),
            Ty::Bool => Some("bool"),
            _ => None,
        }
    }
    /// Argument type and conversion for a method parameter.
    pub fn arg(&self) -> (String, &'static str) {
        match self {
            Ty::Str => ("impl Into<String>".into(), ".into()"),
            Ty::Secret => ("impl Into<SecretString>".into(), ".into()"),
            t => (t.rust(), ""),
        }
    }
    pub fn walk(&self, f: &mut dyn FnMut(&Ty)) {
        f(self);
        match self {
            Ty::Vec(t) | Ty::Page(t) => t.walk(f),
            _ => {}
        }
    }
}

#[derive(Debug, Clone)]
pub struct Field {
    pub wire: String,
    pub ident: String,
    pub ty: Ty,
    pub required: bool,
}

#[derive(Debug, Clone)]
pub struct Struct {
    pub name: String,
    pub spec_name: String,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone)]
pub struct EnumDef {
    pub name: String,
    /// (variant, wire value)
    pub variants: Vec<(String, String)>,
    pub owner: String,
    pub field: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Query,
    Json,
    Form,
}

impl Encoding {
    pub fn rust(self) -> &'static str {
        match self {
            Encoding::Query => "Query",
            Encoding::Json => "Json",
            Encoding::Form => "Form",
        }
    }
}

#[derive(Debug, Clone)]
pub struct PyArg {
    pub name: String,
    pub required: bool,
    pub wire: String,
}

#[derive(Debug, Clone)]
pub struct Op {
    pub name: String,
    pub upper: String,
    pub client: Client,
    pub method: String,
    pub path: String,
    pub auth: &'static str,
    /// Sent with the user's token, answered without a login (the override
    /// list's `LOGIN_FREE`).
    pub login_free: bool,
    pub encoding: Encoding,
    pub envelope: bool,
    pub idempotent: bool,
    pub output: Ty,
    pub path_params: Vec<Field>,
    pub query: Vec<Field>,
    pub body: Option<String>,
    pub py_args: Vec<PyArg>,
    pub missing_path: Vec<String>,
    /// Query parameters the Node SDK fills when unset (`x-node-default`), by wire name.
    pub node_defaults: BTreeMap<String, Value>,
    /// Query parameters only the Node SDK sends (`x-node-only`), by wire name.
    pub node_only: BTreeSet<String>,
    /// The operation's tag (`authentication` or `management`).
    pub tag: String,
    /// The Node SDK's name for the operation (`x-node-method`).
    pub node_method: String,
}

pub struct Model {
    pub structs: BTreeMap<String, Struct>,
    pub enums: BTreeMap<String, EnumDef>,
    /// alias name -> canonical enum name (canonical maps to itself)
    pub enum_canon: BTreeMap<String, String>,
    pub ops: Vec<Op>,
    /// which clients use each type (struct or enum name)
    pub users: BTreeMap<String, BTreeSet<Client>>,
    /// structs reachable from a response
    pub response: BTreeSet<String>,
    /// structs reachable from a request body
    pub request: BTreeSet<String>,
    /// Facts for the generated docs beyond the description (example values
    /// from the documented samples, which operations use each type); filled
    /// by `docs::prepare`.
    pub docs: crate::docs::DocFacts,
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
    "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where", "while",
    "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized",
    "virtual", "yield", "try", "gen",
];

/// `userId` -> `user_id`, `credentialID` -> `credential_id`, `SAMLRequest` -> `saml_request`.
pub fn snake(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() {
                if i > 0 && !out.is_empty() && !out.ends_with('_') {
                    let prev = chars[i - 1];
                    let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
                    if prev.is_ascii_lowercase()
                        || prev.is_ascii_digit()
                        || (prev.is_ascii_uppercase() && next_lower)
                    {
                        out.push('_');
                    }
                }
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("value");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "n_");
    }
    out
}

/// An identifier for a snake_case name: keywords become raw identifiers.
pub fn ident(snake: &str) -> String {
    if matches!(snake, "self" | "super" | "crate" | "Self") {
        format!("{snake}_")
    } else if KEYWORDS.contains(&snake) {
        format!("r#{snake}")
    } else {
        snake.to_owned()
    }
}

/// `user_id` / `userId` / `USER_ID` -> `UserId`.
pub fn upper_camel(s: &str) -> String {
    let base = if s.chars().any(|c| c.is_ascii_lowercase()) {
        snake(s)
    } else {
        snake(&s.to_ascii_lowercase())
    };
    let mut out = String::new();
    for part in base.split('_').filter(|p| !p.is_empty()) {
        let mut cs = part.chars();
        if let Some(f) = cs.next() {
            out.push(f.to_ascii_uppercase());
            out.extend(cs);
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit())
        || out.starts_with("N") && base.starts_with("n_")
    {
        // `n_1` from a leading digit: keep a letter in front.
        out = format!("V{}", out.trim_start_matches('N'));
    }
    if out.is_empty() {
        out.push_str("Value");
    }
    out
}

/// A schema name as a Rust type name.
pub fn type_name(spec: &str) -> String {
    let mut cs = spec.chars();
    let name = match cs.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + cs.as_str(),
        None => String::new(),
    };
    // Names of the prelude would shadow it in generated code.
    match name.as_str() {
        "Option" | "Result" | "String" | "Vec" | "Box" | "Some" | "None" | "Ok" | "Err"
        | "Default" | "Self" => format!("{name}Schema"),
        _ => name,
    }
}

/// Whether a string field with this wire name holds a credential, by the
/// rule of `docs/codegen.md` ("Secrets"), applied to the lowercase words of
/// the name (`newEmailPassCode` → `new email pass code`):
/// - the last word is `password`, `passwd`, `pwd`, `pass`, `secret`, `token`,
///   `totp`, `otp`, `ticket`, `passcode`, `pin` or `apikey` (`bindPwd`,
///   `senderPass`, `apikey`);
/// - or the name holds one of the word pairs `pass code`, `recovery code(s)`,
///   `private key`, `secret key`, `api key`, or the word `passcode`
///   (`passCodeForInformationCompletion`, `recoveryCodes`, `privateKeyPem`).
///
/// Words after the credential that describe it (`tokenType`,
/// `passwordLastSetAt`, `ticketExpiresIn`) keep a field plain. The fields the
/// rule matches are listed in `docs/secret-fields.md` (generated).
pub fn is_secret(wire: &str) -> bool {
    let words = secret_words(wire);
    const LAST: &[&str] = &[
        "password", "passwd", "pwd", "pass", "secret", "token", "totp", "otp", "ticket",
        "passcode", "pin", "apikey",
    ];
    if words.last().is_some_and(|w| LAST.contains(&w.as_str())) {
        return true;
    }
    const PAIRS: &[(&str, &str)] = &[
        ("pass", "code"),
        ("recovery", "code"),
        ("recovery", "codes"),
        ("private", "key"),
        ("secret", "key"),
        ("api", "key"),
    ];
    words.iter().any(|w| w == "passcode")
        || words
            .windows(2)
            .any(|p| PAIRS.contains(&(p[0].as_str(), p[1].as_str())))
}

/// The lowercase words of a camelCase, snake_case or kebab-case name.
fn secret_words(wire: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in wire.chars() {
        if c == '_' || c == '-' || c == '.' {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// Setter names that would clash with `Call`'s own methods.
pub fn setter_name(ident: &str) -> String {
    match ident {
        "new" | "op" | "op_mut" | "into_op" | "with" | "into_future" => format!("{ident}_"),
        _ => ident.to_owned(),
    }
}

fn ref_name(v: &Value) -> Option<&str> {
    v.get("$ref")?.as_str()?.rsplit('/').next()
}

const ENVELOPE_KEYS: &[&str] = &["statusCode", "message", "apiCode", "requestId", "data"];

/// The operations that look read-only (by method or name) but are not safe to repeat.
pub const NOT_IDEMPOTENT: &[&str] = &[
    // POST get-…: fetches, and may mint, a WeChat access token on the server side.
    "get_wechat_mp_access_token",
    // GET, but notifies the imported tenant users (mail/SMS) each time.
    "import_tenant_notify_user",
    // GET, but each call creates a fresh WebAuthn challenge the next step must use.
    "init_authentication_options",
    "init_register_options",
];

/// The IDEMPOTENT rule: GET is; POST is when its last path segment starts with
/// a read-only verb; everything else (DELETE included) is not.
pub fn idempotent(name: &str, method: &str, path: &str) -> bool {
    if NOT_IDEMPOTENT.contains(&name) {
        return false;
    }
    match method {
        "GET" => true,
        "POST" => {
            let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
            ["get-", "list-", "check-", "has-", "is-", "search-"]
                .iter()
                .any(|p| last.starts_with(p))
        }
        _ => false,
    }
}

struct Builder<'a> {
    schemas: &'a serde_json::Map<String, Value>,
    enums: BTreeMap<String, EnumDef>,
    by_values: BTreeMap<Vec<String>, Vec<String>>,
    enum_canon: BTreeMap<String, String>,
}

impl Builder<'_> {
    fn is_paging(&self, name: &str) -> Option<&Value> {
        let s = self.schemas.get(name)?;
        let props = s.get("properties")?.as_object()?;
        if props.len() == 2 && props.contains_key("totalCount") {
            let list = props.get("list")?;
            if list.get("type").and_then(Value::as_str) == Some("array") {
                return list.get("items");
            }
        }
        None
    }

    fn enum_ty(&mut self, owner: &str, field: &str, spec: &Value) -> Ty {
        let name = format!("{owner}{}", upper_camel(field));
        let values: Vec<String> = spec["enum"]
            .as_array()
            .map(|a| {
                let mut seen = BTreeSet::new();
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .filter(|v| seen.insert(v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        if self.enums.contains_key(&name) || self.enum_canon.contains_key(&name) {
            return Ty::Enum(name);
        }
        let names: Vec<String> = match spec.get("x-enum-varnames").and_then(Value::as_array) {
            Some(v) if v.len() == values.len() => v
                .iter()
                .map(|n| upper_camel(n.as_str().unwrap_or("")))
                .collect(),
            _ => values.iter().map(|v| upper_camel(v)).collect(),
        };
        let mut used = BTreeSet::new();
        let mut variants = Vec::new();
        for (i, (n, w)) in names.into_iter().zip(values.iter()).enumerate() {
            let mut n = if n == "Unknown" || n == "Self" {
                format!("{n}Value")
            } else {
                n
            };
            if !used.insert(n.clone()) {
                n = format!("{n}{i}");
                used.insert(n.clone());
            }
            variants.push((n, w.clone()));
        }
        self.by_values
            .entry(values.clone())
            .or_default()
            .push(name.clone());
        self.enum_canon.insert(name.clone(), name.clone());
        self.enums.insert(
            name.clone(),
            EnumDef {
                name: name.clone(),
                variants,
                owner: owner.to_owned(),
                field: field.to_owned(),
            },
        );
        Ty::Enum(name)
    }

    fn prop_ty(&mut self, owner: &str, wire: &str, p: &Value) -> Ty {
        if let Some(r) = ref_name(p) {
            if let Some(items) = self.is_paging(r).cloned() {
                let item = self.prop_ty(&type_name(r), "list", &items);
                return Ty::Page(Box::new(item));
            }
            return Ty::Struct(type_name(r));
        }
        if p.get("enum").is_some() {
            return self.enum_ty(owner, wire, p);
        }
        match p.get("type").and_then(Value::as_str) {
            Some("string") if is_secret(wire) => Ty::Secret,
            Some("string") => Ty::Str,
            Some("integer") => Ty::I64,
            Some("number") => Ty::F64,
            Some("boolean") => Ty::Bool,
            Some("array") => {
                let items = p.get("items").cloned().unwrap_or(Value::Null);
                let t = if items.get("type").and_then(Value::as_str) == Some("string")
                    && items.get("enum").is_none()
                {
                    Ty::Str
                } else {
                    self.prop_ty(owner, wire, &items)
                };
                Ty::Vec(Box::new(t))
            }
            _ => Ty::Value,
        }
    }

    fn fields(&mut self, owner: &str, s: &Value) -> Vec<Field> {
        let required: BTreeSet<&str> = s
            .get("required")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut out: Vec<Field> = Vec::new();
        let mut idents = BTreeSet::new();
        if let Some(props) = s.get("properties").and_then(Value::as_object) {
            for (wire, p) in props {
                let ty = self.prop_ty(owner, wire, p);
                let mut id = ident(&snake(wire));
                while !idents.insert(id.clone()) {
                    id.push('_');
                }
                out.push(Field {
                    wire: wire.clone(),
                    ident: id,
                    ty,
                    required: required.contains(wire.as_str()),
                });
            }
        }
        out
    }
}

pub fn build(spec: &Value) -> Result<Model, String> {
    let schemas = spec["components"]["schemas"]
        .as_object()
        .ok_or("no components.schemas")?;
    let mut b = Builder {
        schemas,
        enums: BTreeMap::new(),
        by_values: BTreeMap::new(),
        enum_canon: BTreeMap::new(),
    };
    let mut structs = BTreeMap::new();
    for (name, s) in schemas {
        let tn = type_name(name);
        let fields = b.fields(&tn, s);
        structs.insert(
            tn.clone(),
            Struct {
                name: tn,
                spec_name: name.clone(),
                fields,
            },
        );
    }
    let mut ops = Vec::new();
    let paths = spec["paths"].as_object().ok_or("no paths")?;
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, o) in item {
            let name = o["x-python-method"]
                .as_str()
                .ok_or_else(|| format!("{path}: no x-python-method"))?
                .to_owned();
            let upper = upper_camel(&name);
            let client = match o["tags"][0].as_str() {
                Some("authentication") => Client::Authentication,
                Some("management") => Client::Management,
                t => return Err(format!("{name}: unknown tag {t:?}")),
            };
            let auth_wire = o["x-auth"].as_str().unwrap_or("").to_owned();
            let auth = match auth_wire.as_str() {
                "user-token" => "UserToken",
                "management-token" => "ManagementToken",
                "app-basic-or-token" => "AppBasicOrToken",
                _ => "None",
            };
            let method = method.to_ascii_uppercase();
            let mut path_params = Vec::new();
            let mut query = Vec::new();
            let mut missing_path = Vec::new();
            let mut node_defaults = BTreeMap::new();
            let mut node_only = BTreeSet::new();
            for p in o
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let wire = p["name"].as_str().unwrap_or("").to_owned();
                let required = p["required"].as_bool().unwrap_or(false);
                if let Some(d) = p.get("x-node-default") {
                    node_defaults.insert(wire.clone(), d.clone());
                }
                if p["x-node-only"].as_bool() == Some(true) {
                    node_only.insert(wire.clone());
                }
                let sch = &p["schema"];
                let ty = match sch.get("type").and_then(Value::as_str) {
                    None if sch.get("enum").is_none() => Ty::Str,
                    _ => b.prop_ty(&upper, &wire, sch),
                };
                let f = Field {
                    ident: ident(&snake(&wire)),
                    wire: wire.clone(),
                    ty,
                    required,
                };
                if p["in"] == "path" {
                    if p.get("x-python-missing").is_some() {
                        missing_path.push(f.ident.clone());
                    }
                    path_params.push(Field {
                        required: true,
                        ..f
                    });
                } else {
                    query.push(f);
                }
            }
            let py_args: Vec<PyArg> = o["x-python-args"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|a| PyArg {
                    name: a["name"].as_str().unwrap_or("").to_owned(),
                    required: a["required"].as_bool().unwrap_or(false),
                    wire: a
                        .get("wire")
                        .and_then(Value::as_str)
                        .or_else(|| a["name"].as_str())
                        .unwrap_or("")
                        .to_owned(),
                })
                .collect();
            let mut encoding = Encoding::Query;
            let mut body = None;
            if let Some(rb) = o.get("requestBody") {
                let content = rb["content"].as_object().ok_or("bad requestBody")?;
                let (ct, c) = content.iter().next().ok_or("empty requestBody")?;
                encoding = if ct.contains("x-www-form-urlencoded") {
                    Encoding::Form
                } else {
                    Encoding::Json
                };
                let sch = &c["schema"];
                if let Some(r) = ref_name(sch) {
                    body = Some(type_name(r));
                } else if let Some(all) = sch.get("allOf").and_then(Value::as_array) {
                    // A base schema plus extra properties: merge them into a body of its own.
                    let body_name = format!("{upper}Body");
                    let wires: BTreeSet<&str> = py_args.iter().map(|a| a.wire.as_str()).collect();
                    let mut fields: Vec<Field> = Vec::new();
                    let mut python_only = false;
                    for part in all {
                        python_only |= part.get("x-python-only").is_some();
                    }
                    for part in all {
                        let fs = match ref_name(part) {
                            Some(r) => structs
                                .get(&type_name(r))
                                .map(|s: &Struct| s.fields.clone())
                                .unwrap_or_default(),
                            None => b.fields(&body_name, part),
                        };
                        fields.extend(fs);
                    }
                    if python_only {
                        fields.retain(|f| wires.contains(f.wire.as_str()));
                    }
                    fields.sort_by(|a, b| a.wire.cmp(&b.wire));
                    structs.insert(
                        body_name.clone(),
                        Struct {
                            name: body_name.clone(),
                            spec_name: format!("{name} request body"),
                            fields,
                        },
                    );
                    body = Some(body_name);
                } else {
                    return Err(format!("{name}: unsupported body schema"));
                }
            }
            let resp = &o["responses"]["200"]["content"]["application/json"]["schema"];
            let rname = ref_name(resp).ok_or_else(|| format!("{name}: no response ref"))?;
            let rs = &schemas[rname];
            let props = rs["properties"].as_object().ok_or("bad response schema")?;
            let is_env = props.keys().all(|k| ENVELOPE_KEYS.contains(&k.as_str()))
                && (props.contains_key("statusCode") || props.contains_key("data"));
            let (envelope, output) = if is_env {
                match props.get("data") {
                    Some(d) => (true, b.prop_ty(&type_name(rname), "data", d)),
                    None => (true, Ty::Unit),
                }
            } else {
                (false, b.prop_ty("", "", resp))
            };
            ops.push(Op {
                idempotent: idempotent(&name, &method, path),
                name,
                upper,
                client,
                method,
                path: path.clone(),
                auth,
                login_free: o["x-login-free"].as_bool() == Some(true),
                encoding,
                envelope,
                output,
                path_params,
                query,
                body,
                py_args,
                missing_path,
                node_defaults,
                node_only,
                tag: o["tags"][0].as_str().unwrap_or("").to_owned(),
                node_method: o["x-node-method"].as_str().unwrap_or("").to_owned(),
            });
        }
    }
    ops.sort_by(|a, b| (a.client, &a.name).cmp(&(b.client, &b.name)));

    // Enums with the same values are one type: the shortest name defines it,
    // the others are aliases.
    for names in b.by_values.values() {
        let canon = names
            .iter()
            .min_by(|x, y| (x.len(), x.as_str()).cmp(&(y.len(), y.as_str())))
            .cloned()
            .unwrap_or_default();
        for n in names {
            b.enum_canon.insert(n.clone(), canon.clone());
            if *n != canon {
                b.enums.remove(n);
            }
        }
    }

    // Reachability: which client uses which type; which structs a response or a body reaches.
    let mut users: BTreeMap<String, BTreeSet<Client>> = BTreeMap::new();
    let mut response = BTreeSet::new();
    let mut request = BTreeSet::new();
    fn visit(
        t: &Ty,
        structs: &BTreeMap<String, Struct>,
        seen: &mut BTreeSet<String>,
        out: &mut Vec<String>,
    ) {
        t.walk(&mut |t| {
            if let Ty::Struct(n) | Ty::Enum(n) = t {
                if seen.insert(n.clone()) {
                    out.push(n.clone());
                    if let Some(s) = structs.get(n) {
                        for f in &s.fields {
                            visit(&f.ty, structs, seen, out);
                        }
                    }
                }
            }
        });
    }
    for op in &ops {
        let mut roots: Vec<Ty> = vec![op.output.clone()];
        if let Some(bn) = &op.body {
            roots.push(Ty::Struct(bn.clone()));
        }
        roots.extend(op.query.iter().map(|f| f.ty.clone()));
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for r in &roots {
            visit(r, &structs, &mut seen, &mut out);
        }
        for n in out {
            users.entry(n).or_default().insert(op.client);
        }
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        visit(&op.output, &structs, &mut seen, &mut out);
        response.extend(out.into_iter().filter(|n| structs.contains_key(n)));
        if let Some(bn) = &op.body {
            let mut seen = BTreeSet::new();
            let mut out = Vec::new();
            visit(&Ty::Struct(bn.clone()), &structs, &mut seen, &mut out);
            request.extend(out.into_iter().filter(|n| structs.contains_key(n)));
        }
    }
    // A canonical enum is used wherever any of its aliases is.
    let alias_users: Vec<(String, BTreeSet<Client>)> = users
        .iter()
        .filter_map(|(n, u)| {
            let c = b.enum_canon.get(n)?;
            (c != n).then(|| (c.clone(), u.clone()))
        })
        .collect();
    for (c, u) in alias_users {
        users.entry(c).or_default().extend(u);
    }
    Ok(Model {
        structs,
        enums: b.enums,
        enum_canon: b.enum_canon,
        ops,
        users,
        response,
        request,
        docs: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(snake("userId"), "user_id");
        assert_eq!(snake("credentialID"), "credential_id");
        assert_eq!(snake("SAMLRequest"), "saml_request");
        assert_eq!(snake("access_token"), "access_token");
        assert_eq!(snake("mfa:verified"), "mfa_verified");
        assert_eq!(snake("2fa"), "n_2fa");
        assert_eq!(ident("type"), "r#type");
        assert_eq!(ident("self"), "self_");
        assert_eq!(upper_camel("get_user"), "GetUser");
        assert_eq!(upper_camel("USER_ID"), "UserId");
        assert_eq!(upper_camel("user-pool:env-added"), "UserPoolEnvAdded");
        assert_eq!(upper_camel("externalId"), "ExternalId");
        assert_eq!(upper_camel("_1"), "V1");
        assert_eq!(type_name("errorEmailMsg"), "ErrorEmailMsg");
        assert_eq!(type_name("Option"), "OptionSchema");
        assert_eq!(setter_name("with"), "with_");
    }

    #[test]
    fn secrets_by_wire_name() {
        for s in [
            "password",
            "newPassword",
            "passCode",
            "clientSecret",
            "client_secret",
            "secret",
            "token",
            "accessToken",
            "id_token",
            "refresh_token",
        ] {
            assert!(is_secret(s), "{s}");
        }
        for s in [
            "totp",
            "ticket",
            "passwordForPhonePassCode",
            "newEmailPassCode",
            "oldPhonePassCode",
            "emailPassCodeForInformationCompletion",
            "phonePassCodeForInformationCompletion",
            "recoveryCode",
            "privateKey",
            "mfaToken",
            "jwtToken",
            "bindPwd",
            "senderPass",
            "apikey",
            "apiKey",
            "captchaToken",
            "accessKeySecret",
        ] {
            assert!(is_secret(s), "{s}");
        }
        for s in [
            "tokenType",
            "passwordEncryptType",
            "userId",
            "expiresIn",
            "passwordLastSetAt",
            "ticketExpiresIn",
            "tokenEndpointAuthMethod",
            "shopping",
            "description",
            "accessKeyId",
            "publicKey",
            "passwordSecurityLevel",
            "passwordTabConfig",
            "totpStatus",
            "emailMfaStatus",
            "passport",
            "spinner",
            "apiCode",
            "captchaCode",
        ] {
            assert!(!is_secret(s), "{s}");
        }
    }

    #[test]
    fn idempotent_rule() {
        assert!(idempotent("get_user", "GET", "/api/v3/get-user"));
        assert!(idempotent("list_users", "POST", "/api/v3/list-users"));
        assert!(idempotent(
            "check_permission",
            "POST",
            "/api/v3/check-permission"
        ));
        assert!(!idempotent("create_user", "POST", "/api/v3/create-user"));
        assert!(!idempotent(
            "delete_by_id",
            "DELETE",
            "/api/v3/ip-list/{id}"
        ));
        assert!(!idempotent(
            "get_wechat_mp_access_token",
            "POST",
            "/api/v3/get-wechat-access-token"
        ));
    }

    fn tiny_spec() -> Value {
        serde_json::json!({
            "components": {"schemas": {
                "UserDto": {"type": "object", "required": ["userId"], "properties": {
                    "userId": {"type": "string"},
                    "status": {"type": "string", "enum": ["Activated", "Suspended"], "x-enum-varnames": ["ACTIVATED", "SUSPENDED"]}
                }},
                "UserPagingDto": {"type": "object", "properties": {
                    "list": {"type": "array", "items": {"$ref": "#/components/schemas/UserDto"}},
                    "totalCount": {"type": "integer"}
                }},
                "UserPaginatedRespDto": {"type": "object", "properties": {
                    "statusCode": {"type": "integer"}, "message": {"type": "string"},
                    "data": {"$ref": "#/components/schemas/UserPagingDto"}
                }},
                "ListUsersRequestDto": {"type": "object", "properties": {
                    "keywords": {"type": "string"},
                    "password": {"type": "string"}
                }}
            }},
            "paths": {
                "/api/v3/list-users": {"post": {
                    "x-python-method": "list_users", "tags": ["management"], "x-auth": "management-token",
                    "x-python-args": [{"in": "body", "name": "keywords", "required": false, "wire": "keywords"}],
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ListUsersRequestDto"}}}},
                    "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/UserPaginatedRespDto"}}}}}
                }}
            }
        })
    }

    #[test]
    fn envelopes_pages_enums_and_reachability() {
        let m = build(&tiny_spec()).unwrap();
        assert_eq!(m.ops.len(), 1);
        let op = &m.ops[0];
        assert!(op.envelope);
        assert!(op.idempotent);
        assert_eq!(op.encoding, Encoding::Json);
        assert_eq!(op.output.rust(), "Page<UserDto>");
        assert_eq!(op.body.as_deref(), Some("ListUsersRequestDto"));
        let e = &m.enums["UserDtoStatus"];
        assert_eq!(e.variants[0], ("Activated".into(), "Activated".into()));
        assert!(m.response.contains("UserDto"));
        assert!(!m.response.contains("ListUsersRequestDto"));
        assert!(m.request.contains("ListUsersRequestDto"));
        assert!(
            !m.users.contains_key("UserPaginatedRespDto"),
            "envelopes are not generated"
        );
        let req = &m.structs["ListUsersRequestDto"];
        assert_eq!(req.fields[1].ty, Ty::Secret);
    }
}
