//! Organizations and departments with state: the Node SDK's paths over raw
//! HTTP, and the reads the generated client has (get, batch get, list).

use crate::common::{management, raw_json};
use genauth_emulator::{
    Emulator, Organization, RunningEmulator, TestUser, DEFAULT_ACCESS_KEY_ID,
    DEFAULT_ACCESS_KEY_SECRET, DEFAULT_USERPOOL_ID,
};
use serde_json::{json, Value};

async fn emulator() -> RunningEmulator {
    Emulator::builder()
        .user(TestUser::email("ann@example.com").with_name("Ann"))
        .user(TestUser::email("bob@example.com").with_name("Bob"))
        .user(TestUser::username("cyd"))
        .start()
        .await
        .unwrap()
}

struct Admin<'a> {
    emu: &'a RunningEmulator,
    token: String,
}

impl<'a> Admin<'a> {
    async fn new(emu: &'a RunningEmulator) -> Self {
        let v = raw_json(
            "POST",
            &format!("{}/api/v3/get-management-token", emu.url()),
            &[],
            &json!({"accessKeyId": DEFAULT_ACCESS_KEY_ID, "accessKeySecret": DEFAULT_ACCESS_KEY_SECRET}),
        )
        .await;
        let token = format!("Bearer {}", v["data"]["access_token"].as_str().unwrap());
        Self { emu, token }
    }

    /// The whole envelope of a management call.
    async fn call(&self, method: &str, path_and_query: &str, body: Value) -> Value {
        raw_json(
            method,
            &format!("{}/api/v3/{path_and_query}", self.emu.url()),
            &[
                ("authorization", self.token.as_str()),
                ("x-genauth-userpool-id", DEFAULT_USERPOOL_ID),
            ],
            &body,
        )
        .await
    }

    /// `data` of a call that must succeed.
    async fn ok(&self, method: &str, path_and_query: &str, body: Value) -> Value {
        let v = self.call(method, path_and_query, body).await;
        assert_eq!(v["statusCode"], 200, "{path_and_query}: {v}");
        v["data"].clone()
    }

    async fn get(&self, path_and_query: &str) -> Value {
        self.ok("GET", path_and_query, Value::Null).await
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.ok("POST", path, body).await
    }
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|d| {
            d.get("departmentId")
                .or_else(|| d.get("userId"))
                .and_then(Value::as_str)
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn organizations_are_created_updated_listed_and_deleted() {
    let emu = emulator().await;
    let admin = Admin::new(&emu).await;
    let client = management(&emu);
    assert_eq!(client.list_organizations().await.unwrap().total_count, 0);

    let org = admin
        .post(
            "create-organization",
            json!({"organizationCode": "acme", "organizationName": "ACME",
                   "description": "makes anvils", "openDepartmentId": "ext-root"}),
        )
        .await;
    assert_eq!(org["organizationCode"], "acme");
    assert_eq!(org["membersCount"], 0);
    assert_eq!(org["hasChildren"], false);
    let root = org["departmentId"].as_str().unwrap().to_owned();
    admin
        .post(
            "create-organization",
            json!({"organizationCode": "globex", "organizationName": "Globex"}),
        )
        .await;

    // The generated client reads what was created.
    let got = client.get_organization("acme").await.unwrap();
    assert_eq!(got.organization_name, "ACME");
    assert_eq!(got.description.as_deref(), Some("makes anvils"));
    assert_eq!(got.open_department_id.as_deref(), Some("ext-root"));
    assert_eq!(got.department_id, root);
    let page = client.list_organizations().await.unwrap();
    assert_eq!(page.total_count, 2);
    let page = client.list_organizations().limit(1).await.unwrap();
    assert_eq!(page.list.len(), 1);
    let batch = client
        .get_organizations_batch(vec!["globex".into(), "nope".into()])
        .await
        .unwrap();
    assert_eq!(batch.len(), 1);
    assert_eq!(batch[0].organization_name, "Globex");
    let found = admin.get("search-organizations?keywords=Glob").await;
    assert_eq!(found["totalCount"], 1);
    assert_eq!(found["list"][0]["organizationCode"], "globex");

    // A taken code is refused, naming the field.
    let dup = admin
        .call(
            "POST",
            "create-organization",
            json!({"organizationCode": "acme", "organizationName": "Again"}),
        )
        .await;
    assert_eq!(dup["statusCode"], 409);
    assert!(dup["message"]
        .as_str()
        .unwrap()
        .starts_with("organizationCode:"));

    // Update: a new name and a new code; the old code is gone.
    let ann = emu.user_id("ann@example.com").unwrap();
    let updated = admin
        .post(
            "update-organization",
            json!({"organizationCode": "acme", "organizationNewCode": "acme2",
                   "organizationName": "ACME Corp", "leaderUserIds": [ann]}),
        )
        .await;
    assert_eq!(updated["organizationCode"], "acme2");
    assert_eq!(updated["leaderUserIds"], json!([ann]));
    let got = client.get_organization("acme2").await.unwrap();
    assert_eq!(got.organization_name, "ACME Corp");
    let gone = client.get_organization("acme").await.unwrap_err();
    assert_eq!(gone.as_api().unwrap().status_code, 404);
    let clash = admin
        .call(
            "POST",
            "update-organization",
            json!({"organizationCode": "acme2", "organizationNewCode": "globex"}),
        )
        .await;
    assert_eq!(clash["statusCode"], 409);
    let ghost_leader = admin
        .call(
            "POST",
            "update-organization",
            json!({"organizationCode": "acme2", "leaderUserIds": ["ghost"]}),
        )
        .await;
    assert_eq!(ghost_leader["statusCode"], 404);
    assert_eq!(ghost_leader["apiCode"], 2004);

    // Delete: the organization and its members' department ids go.
    admin
        .post(
            "add-department-members",
            json!({"organizationCode": "acme2", "departmentId": "root", "userIds": [ann]}),
        )
        .await;
    let user = admin.get(&format!("get-user?userId={ann}")).await;
    assert_eq!(user["departmentIds"], json!([root]));
    assert_eq!(user["mainDepartmentId"], json!(root));
    let done = admin
        .post("delete-organization", json!({"organizationCode": "acme2"}))
        .await;
    assert_eq!(done["success"], true);
    assert_eq!(client.list_organizations().await.unwrap().total_count, 1);
    let user = admin.get(&format!("get-user?userId={ann}")).await;
    assert_eq!(user["departmentIds"], json!([]));
    assert!(user.get("mainDepartmentId").is_none(), "{user}");
    let again = admin
        .call(
            "POST",
            "delete-organization",
            json!({"organizationCode": "acme2"}),
        )
        .await;
    assert_eq!(again["statusCode"], 404);
}

#[tokio::test]
async fn departments_form_a_tree() {
    let emu = emulator().await;
    let admin = Admin::new(&emu).await;
    let client = management(&emu);
    let org = admin
        .post(
            "create-organization",
            json!({"organizationCode": "acme", "organizationName": "ACME"}),
        )
        .await;
    let root = org["departmentId"].as_str().unwrap().to_owned();

    let eng = admin
        .post(
            "create-department",
            json!({"organizationCode": "acme", "parentDepartmentId": "root",
                   "name": "Engineering", "code": "eng", "customData": {"floor": 3}}),
        )
        .await;
    assert_eq!(eng["parentDepartmentId"], json!(root));
    assert_eq!(eng["customData"], json!({"floor": 3}));
    let eng_id = eng["departmentId"].as_str().unwrap().to_owned();
    // The parent named by its code.
    let web = admin
        .post(
            "create-department",
            json!({"organizationCode": "acme", "parentDepartmentId": "eng",
                   "departmentIdType": "code", "name": "Web", "code": "web",
                   "openDepartmentId": "ext-web"}),
        )
        .await;
    assert_eq!(web["parentDepartmentId"], json!(eng_id));
    assert_eq!(web["parentDepartmentCode"], "eng");
    let web_id = web["departmentId"].as_str().unwrap().to_owned();
    let sales = admin
        .post(
            "create-department",
            json!({"organizationCode": "acme", "parentDepartmentId": root,
                   "name": "Sales", "isVirtualNode": true}),
        )
        .await;
    let sales_id = sales["departmentId"].as_str().unwrap().to_owned();

    // The organization now has children.
    assert!(client.get_organization("acme").await.unwrap().has_children);

    let children = admin
        .get("list-children-departments?organizationCode=acme&departmentId=root")
        .await;
    assert_eq!(
        ids(&children["list"]),
        vec![eng_id.clone(), sales_id.clone()]
    );
    assert_eq!(children["list"][0]["hasChildren"], true);
    let real = admin
        .get("list-children-departments?organizationCode=acme&departmentId=root&excludeVirtualNode=True")
        .await;
    assert_eq!(ids(&real["list"]), vec![eng_id.clone()]);
    let all = admin.get("get-all-departments?organizationCode=acme").await;
    assert_eq!(all["totalCount"], 3);
    let by_open = admin
        .get("get-department?organizationCode=acme&departmentId=ext-web&departmentIdType=open_department_id")
        .await;
    assert_eq!(by_open["departmentId"], json!(web_id));
    let by_code = admin
        .get("get-department?organizationCode=acme&departmentCode=web")
        .await;
    assert_eq!(by_code["name"], "Web");
    let parent = admin
        .get(&format!(
            "get-parent-department?organizationCode=acme&departmentId={web_id}"
        ))
        .await;
    assert_eq!(parent["departmentId"], json!(eng_id));

    // Update: rename and move Web under Sales; a cycle is refused.
    let moved = admin
        .post(
            "update-department",
            json!({"organizationCode": "acme", "departmentId": web_id,
                   "name": "Web team", "parentDepartmentId": sales_id, "status": false}),
        )
        .await;
    assert_eq!(moved["name"], "Web team");
    assert_eq!(moved["parentDepartmentId"], json!(sales_id));
    assert_eq!(moved["status"], false);
    let cycle = admin
        .call(
            "POST",
            "update-department",
            json!({"organizationCode": "acme", "departmentId": sales_id,
                   "parentDepartmentId": web_id}),
        )
        .await;
    assert_eq!(cycle["statusCode"], 400);
    assert!(cycle["message"]
        .as_str()
        .unwrap()
        .starts_with("parentDepartmentId:"));
    let eng_children = admin
        .get(&format!(
            "list-children-departments?organizationCode=acme&departmentId={eng_id}"
        ))
        .await;
    assert_eq!(eng_children["totalCount"], 0);
    let disabled = admin
        .get(&format!(
            "list-children-departments?organizationCode=acme&departmentId={sales_id}&status=false"
        ))
        .await;
    assert_eq!(ids(&disabled["list"]), vec![web_id.clone()]);

    // Delete takes the departments under it along.
    admin
        .post(
            "delete-department",
            json!({"organizationCode": "acme", "departmentId": sales_id}),
        )
        .await;
    let all = admin.get("get-all-departments?organizationCode=acme").await;
    assert_eq!(ids(&all["list"]), vec![eng_id.clone()]);
    let web_gone = admin
        .call(
            "GET",
            &format!("get-department?organizationCode=acme&departmentId={web_id}"),
            Value::Null,
        )
        .await;
    assert_eq!(web_gone["statusCode"], 404);
    let root_delete = admin
        .call(
            "POST",
            "delete-department",
            json!({"organizationCode": "acme", "departmentId": "root"}),
        )
        .await;
    assert_eq!(root_delete["statusCode"], 400);
    assert!(root_delete["message"]
        .as_str()
        .unwrap()
        .starts_with("departmentId:"));
}

#[tokio::test]
async fn department_members_reference_existing_users() {
    let emu = emulator().await;
    let admin = Admin::new(&emu).await;
    let client = management(&emu);
    admin
        .post(
            "create-organization",
            json!({"organizationCode": "acme", "organizationName": "ACME"}),
        )
        .await;
    let eng = admin
        .post(
            "create-department",
            json!({"organizationCode": "acme", "parentDepartmentId": "root", "name": "Eng"}),
        )
        .await;
    let eng_id = eng["departmentId"].as_str().unwrap().to_owned();
    let ann = emu.user_id("ann@example.com").unwrap();
    let bob = emu.user_id("bob@example.com").unwrap();
    let cyd = emu.user_id("cyd").unwrap();

    admin
        .post(
            "add-department-members",
            json!({"organizationCode": "acme", "departmentId": eng_id, "userIds": [bob, ann]}),
        )
        .await;
    admin
        .post(
            "add-department-members",
            json!({"organizationCode": "acme", "departmentId": "root", "userIds": [cyd]}),
        )
        .await;
    // Join order, newest first by default; ascending on request.
    let members = admin
        .get(&format!(
            "list-department-members?organizationCode=acme&departmentId={eng_id}"
        ))
        .await;
    assert_eq!(ids(&members["list"]), vec![ann.clone(), bob.clone()]);
    let asc = admin
        .get(&format!(
            "list-department-members?organizationCode=acme&departmentId={eng_id}&orderBy=Asc&limit=1"
        ))
        .await;
    assert_eq!(asc["totalCount"], 2);
    assert_eq!(ids(&asc["list"]), vec![bob.clone()]);
    let direct = admin
        .get("list-department-members?organizationCode=acme&departmentId=root")
        .await;
    assert_eq!(direct["totalCount"], 1);
    let deep = admin
        .get("list-department-members?organizationCode=acme&departmentId=root&includeChildrenDepartments=True")
        .await;
    assert_eq!(deep["totalCount"], 3);
    let found = admin
        .get(&format!(
            "search-department-members?organizationCode=acme&departmentId={eng_id}&keywords=bob"
        ))
        .await;
    assert_eq!(ids(&found["list"]), vec![bob.clone()]);
    let member_ids = admin
        .get(&format!(
            "list-department-member-ids?organizationCode=acme&departmentId={eng_id}"
        ))
        .await;
    let mut member_ids: Vec<String> = serde_json::from_value(member_ids).unwrap();
    member_ids.sort();
    let mut want = vec![ann.clone(), bob.clone()];
    want.sort();
    assert_eq!(member_ids, want);
    let inside = admin
        .get(&format!(
            "is-user-in-department?organizationCode=acme&departmentId=root&userId={ann}"
        ))
        .await;
    assert_eq!(inside["inDepartment"], false);
    let inside = admin
        .get(&format!(
            "is-user-in-department?organizationCode=acme&departmentId=root&userId={ann}&includeChildrenDepartments=true"
        ))
        .await;
    assert_eq!(inside["inDepartment"], true);

    // The organization counts its members across departments; the users'
    // profiles carry the department.
    assert_eq!(
        client.get_organization("acme").await.unwrap().members_count,
        3
    );
    let profile = admin.get(&format!("get-user?userId={bob}")).await;
    assert_eq!(profile["departmentIds"], json!([eng_id]));
    let dept = admin
        .get(&format!(
            "get-department?organizationCode=acme&departmentId={eng_id}"
        ))
        .await;
    assert_eq!(dept["membersCount"], 2);

    // Removing a member; deleting a user removes it everywhere.
    admin
        .post(
            "remove-department-members",
            json!({"organizationCode": "acme", "departmentId": eng_id, "userIds": [bob]}),
        )
        .await;
    let profile = admin.get(&format!("get-user?userId={bob}")).await;
    assert_eq!(profile["departmentIds"], json!([]));
    admin
        .post("delete-users-batch", json!({"userIds": [ann]}))
        .await;
    let members = admin
        .get(&format!(
            "list-department-members?organizationCode=acme&departmentId={eng_id}"
        ))
        .await;
    assert_eq!(members["totalCount"], 0);
    assert_eq!(
        client.get_organization("acme").await.unwrap().members_count,
        1
    );

    // An unknown user is refused with the service's user-not-found code.
    let ghost = admin
        .call(
            "POST",
            "add-department-members",
            json!({"organizationCode": "acme", "departmentId": "root", "userIds": ["ghost"]}),
        )
        .await;
    assert_eq!(ghost["statusCode"], 404);
    assert_eq!(ghost["apiCode"], 2004);
}

#[tokio::test]
async fn bad_input_is_refused_naming_the_field() {
    let emu = emulator().await;
    let admin = Admin::new(&emu).await;
    admin
        .post(
            "create-organization",
            json!({"organizationCode": "acme", "organizationName": "ACME"}),
        )
        .await;
    let cases: Vec<(&str, &str, Value, i64, &str)> = vec![
        ("POST", "create-organization", json!({"organizationCode": "x"}), 400, "organizationName"),
        ("POST", "create-organization", json!({"organizationCode": "", "organizationName": "X"}), 400, "organizationCode"),
        ("POST", "create-organization", json!({"organizationCode": 7, "organizationName": "X"}), 400, "organizationCode"),
        ("POST", "update-organization", json!({"organizationCode": "nope"}), 404, "nope"),
        ("POST", "create-department", json!({"organizationCode": "acme", "parentDepartmentId": "root"}), 400, "name"),
        ("POST", "create-department", json!({"organizationCode": "acme", "parentDepartmentId": "ghost", "name": "X"}), 404, "ghost"),
        ("POST", "create-department", json!({"organizationCode": "nope", "parentDepartmentId": "root", "name": "X"}), 404, "nope"),
        ("POST", "create-department", json!({"organizationCode": "acme", "parentDepartmentId": "root", "name": "X", "departmentIdType": "sync_relation"}), 400, "departmentIdType"),
        ("POST", "create-department", json!({"organizationCode": "acme", "parentDepartmentId": "root", "name": "X", "departmentIdType": "weird"}), 400, "departmentIdType"),
        ("POST", "create-department", json!({"organizationCode": "acme", "parentDepartmentId": "root", "name": "X", "customData": [1]}), 400, "customData"),
        ("POST", "update-department", json!({"organizationCode": "acme", "departmentId": "ghost", "name": "X"}), 404, "ghost"),
        ("POST", "update-department", json!({"organizationCode": "acme", "departmentId": "root", "status": "off"}), 400, "status"),
        ("POST", "add-department-members", json!({"organizationCode": "acme", "departmentId": "root", "userIds": []}), 400, "userIds"),
        ("POST", "add-department-members", json!({"organizationCode": "acme", "departmentId": "root"}), 400, "userIds"),
        ("GET", "list-children-departments?organizationCode=acme", Value::Null, 400, "departmentId"),
        ("GET", "list-children-departments?departmentId=root", Value::Null, 400, "organizationCode"),
        ("GET", "list-children-departments?organizationCode=acme&departmentId=root&excludeVirtualNode=maybe", Value::Null, 400, "excludeVirtualNode"),
        ("GET", "list-department-members?organizationCode=acme&departmentId=root&sortBy=name", Value::Null, 400, "sortBy"),
        ("GET", "list-department-members?organizationCode=acme&departmentId=root&page=x", Value::Null, 400, "page"),
        ("GET", "get-department?organizationCode=acme", Value::Null, 400, "departmentId"),
        ("GET", "get-parent-department?organizationCode=acme&departmentId=root", Value::Null, 400, "departmentId"),
        ("GET", "search-organizations", Value::Null, 400, "keywords"),
        ("GET", "list-organizations?fetchAll=often", Value::Null, 400, "fetchAll"),
        ("GET", "is-user-in-department?organizationCode=acme&departmentId=root&userId=ghost", Value::Null, 404, ""),
    ];
    for (method, path, body, status, field) in cases {
        let v = admin.call(method, path, body).await;
        assert_eq!(v["statusCode"], status, "{method} {path}: {v}");
        assert!(
            v["message"].as_str().unwrap().contains(field),
            "{method} {path}: {v}"
        );
    }
    // Without a management token, nothing is answered.
    let anon = raw_json(
        "POST",
        &format!("{}/api/v3/create-organization", emu.url()),
        &[],
        &json!({"organizationCode": "x", "organizationName": "X"}),
    )
    .await;
    assert_eq!(anon["statusCode"], 401);
}

#[tokio::test]
async fn configured_organizations_take_departments() {
    let emu = Emulator::builder()
        .user(TestUser::email("ann@example.com"))
        .organization(Organization::new("seeded", "Seeded").member("ann@example.com"))
        .start()
        .await
        .unwrap();
    let admin = Admin::new(&emu).await;
    let dept = admin
        .post(
            "create-department",
            json!({"organizationCode": "seeded", "parentDepartmentId": "root", "name": "Ops"}),
        )
        .await;
    let ann = emu.user_id("ann@example.com").unwrap();
    admin
        .post(
            "add-department-members",
            json!({"organizationCode": "seeded", "departmentId": dept["departmentId"], "userIds": [ann]}),
        )
        .await;
    let org = management(&emu).get_organization("seeded").await.unwrap();
    assert_eq!(
        org.members_count, 1,
        "a member of two departments counts once"
    );
    let profile = admin.get(&format!("get-user?userId={ann}")).await;
    assert_eq!(
        profile["departmentIds"],
        json!([org.department_id, dept["departmentId"]])
    );
    assert_eq!(profile["mainDepartmentId"], json!(org.department_id));
}
