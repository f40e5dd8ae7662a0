"""The OpenAPI document matches the routes: every documented operation
exists, and every route that exists is documented."""

import re
import unittest

from bingfa_server import ADMIN_NAME, ADMIN_PASSWORD, ServerTestCase, sign_contract

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def text(zh, en):
    return {"zh": zh, "en": en}


def small_playbook(pid):
    """The smallest valid playbook document, of id pid."""
    return {"schema": "bingfa.playbook/1", "id": pid, "version": 1,
            "name": text("文档测试方法", "Document test method"),
            "stages": [{"id": "only", "name": text("唯一阶段", "Only stage"), "probability": 50,
                        "exit_criteria": [{"id": "done", "kind": "criterion",
                                           "text": text("完成", "Done")}]}]}


PDF = b"%PDF-1.4\n%%EOF\n"


def complete_handover(s, account_id, contact_id, implementer_id):
    """A deal the admin loads as won, with implementer_id on its team and
    every part of its handover package: its id."""
    opp = s.post("/api/v1/opportunities", {"account_id": account_id, "name": "文档赢单",
                                           "playbook": "uss-5", "status": "won"}).json
    s.request("PUT", "/api/v1/opportunities/%s/team/%s" % (opp["id"], implementer_id),
              body={"role": "implementation"})
    for cat in ("contract", "service_contract", "statement_of_work", "research_results",
                "proposal"):
        r = s.request("POST", "/api/v1/opportunities/%s/documents?name=%s.pdf&category=%s" %
                      (opp["id"], cat, cat), raw=PDF, headers={"Content-Type": "application/pdf"})
        if r.status != 201:
            raise RuntimeError("document: %r" % (r,))
    r = s.request("PUT", "/api/v1/opportunities/%s/handover" % opp["id"],
                  body={"commitments": "无", "project_lead_id": contact_id},
                  headers={"If-Match": '"0"'})
    if r.status != 200 or not r.json["complete"]:
        raise RuntimeError("handover: %r" % (r,))
    return opp["id"]


class OpenAPITest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        r = s.get("/api/v1/openapi.json")
        if r.status != 200 or not isinstance(r.json, dict):
            raise RuntimeError("openapi.json: %r" % (r,))
        cls.doc = r.json
        acc = s.post("/api/v1/accounts", {"name": "文档测试客户"}).json
        con = s.post("/api/v1/contacts", {"account_id": acc["id"], "name": "文档联系人"}).json
        # A uss-5 deal in stage intent: it has a checklist item and a decision
        # point (vision) to answer, so every opportunity route really works.
        opp = s.post("/api/v1/opportunities",
                     {"account_id": acc["id"], "name": "文档商机", "playbook": "uss-5",
                      "stage": "intent"}).json
        # A presentation on a huayu-5 deal: it has a checklist (the rehearsal).
        huayu = s.post("/api/v1/opportunities",
                       {"account_id": acc["id"], "name": "文档华宇商机", "playbook": "huayu-5"}).json
        act = s.post("/api/v1/activities", {"opportunity_id": huayu["id"],
                                            "type": "presentation"}).json
        team = s.post("/api/v1/teams", {"name": "文档团队"}).json
        partner = s.post("/api/v1/partners", {"name": "文档渠道"}).json
        product = s.post("/api/v1/products", {"code": "DOC-1", "name": "文档产品",
                                              "kind": "hardware", "unit": "台",
                                              "list_price": 100}).json
        user = s.make_user("文档用户", role="consultant")
        view = s.post("/api/v1/views", {"resource": "opportunities", "name": "文档视图",
                                        "query": "status=won"}).json
        cls.ids = {"accounts": acc["id"], "contacts": con["id"], "opportunities": opp["id"],
                   "activities": act["id"], "playbooks": "ruijie-6", "users": user["id"],
                   "teams": team["id"], "partners": partner["id"],
                   "products": product["id"], "views": view["id"]}
        cls.account_id = acc["id"]
        # Approvals asked by a salesperson wait for a decision: one to read
        # and approve, one to reject, one its requester withdraws; a spare
        # deal takes the request the walk makes (as the admin, it is done).
        cls.sales = s.auth("文档销售", role="sales")
        spare = []
        for i in range(4):
            spare.append(s.post("/api/v1/opportunities",
                                {"account_id": acc["id"], "name": "文档审批%d" % i}).json["id"])
        asked = []
        for d in spare[:3]:
            r = s.post("/api/v1/opportunities/%s/approvals" % d,
                       {"kind": "close", "status": "abandoned", "reason": "客户取消项目"},
                       headers=cls.sales)
            if r.status != 201 or r.json["approval"]["state"] != "pending":
                raise RuntimeError("approval: %r" % (r,))
            asked.append(r.json["approval"]["id"])
        cls.ids["approvals"] = asked[0]
        cls.approval_for = {"approve": asked[0], "reject": asked[1], "withdraw": asked[2]}
        cls.spare_deal = spare[3]
        # The proposal's review is yonyou-7's.
        cls.yonyou_deal = s.post("/api/v1/opportunities",
                                 {"account_id": acc["id"], "name": "文档用友商机",
                                  "playbook": "yonyou-7"}).json["id"]
        cls.project_deal = s.post("/api/v1/opportunities",
                                  {"account_id": acc["id"], "name": "文档项目型商机",
                                   "playbook": "project-8"}).json["id"]
        # Documents and handovers: a document kept on the deal; two won deals
        # whose handover packages are complete, one to change, one for
        # implementation to acknowledge.
        cls.ids["documents"] = s.request(
            "POST", "/api/v1/opportunities/%s/documents?name=doc.pdf" % opp["id"], raw=PDF,
            headers={"Content-Type": "application/pdf"}).json["id"]
        cls.ids["knowledge"] = s.post("/api/v1/knowledge", {"kind": "case",
                                                            "title": "文档条目"}).json["id"]
        impl = s.make_user("文档实施", role="implementation")
        cls.impl = s.auth("文档实施", role="implementation")
        cls.won_deals = [complete_handover(s, acc["id"], con["id"], impl["id"]) for _ in range(2)]
        # A robot's webhook (told of nothing), and a notification of the
        # admin's: the approvals asked above wait for an admin, their team
        # having no manager.
        cls.ids["webhooks"] = s.post("/api/v1/webhooks", {"name": "文档机器人", "kind": "wecom",
                                                          "url": "http://127.0.0.1:9/hook"}
                                     ).json["id"]
        cls.ids["notifications"] = s.get("/api/v1/notifications").json["items"][0]["id"]

    def concrete(self, path, real=True):
        """The path with its {params} filled in."""
        m = re.match(r"^/api/v1/([a-z_]+)/\{id\}", path)
        resource = m.group(1) if m else None
        if real and resource in self.ids:
            rid = self.ids[resource]
        else:
            rid = (resource or "x")[:3] + "_placeholder0000"
        if path.startswith("/api/v1/activities/"):
            path = path.replace("{item}", "before-1")
        out = (path.replace("{id}", rid).replace("{item}/steps", "prepare-visit/steps")
               .replace("{item}", "int-visit-prepared")
               .replace("{decision}", "vision").replace("{step}", "1")
               .replace("{key}", "letter-visit").replace("{resource}", "accounts")
               .replace("{user}", self.ids["users"] if real else "usr_placeholder0000")
               .replace("{partner}", self.ids["partners"] if real else "ptn_placeholder0000")
               .replace("{file}", self.calendar_file() if real and "{file}" in path
                        else "bfc_placeholder.ics"))
        self.assertNotIn("{", out, "unknown path parameter in %s" % path)
        return out

    def calendar_file(self):
        """The file of a new calendar feed of the admin's (a secret shown once)."""
        r = self.post("/api/v1/calendar/feed")
        self.assertEqual(r.status, 201, r)
        return r.json["path"].rsplit("/", 1)[1]

    def minimal_body(self, method, path):
        if method == "POST" and path == "/api/v1/accounts":
            return {"name": "最小"}
        if method == "POST" and path == "/api/v1/contacts":
            return {"account_id": self.account_id, "name": "最小"}
        if method == "POST" and path == "/api/v1/opportunities":
            return {"account_id": self.account_id, "name": "最小"}
        if method == "POST" and path == "/api/v1/activities":
            return {"account_id": self.account_id, "type": "other"}
        if method == "PUT" and (path.endswith("/checklist/{item}") or path.endswith("/{step}")):
            return {"done": False}
        if method == "POST" and path == "/api/v1/activities/{id}/checklist":
            return {"phase": "before", "text": "带名片"}
        if method == "POST" and path.endswith("/decisions/{decision}"):
            return {"answer": "yes"}
        bulk = re.match(r"^/api/v1/(\w+)/bulk$", path)
        if method == "POST" and bulk:  # a tag on the record of its resource
            return {"ids": [self.ids[bulk.group(1)]], "action": "add_tag", "tags": ["文档"]}
        if method == "POST" and path.endswith("/transfer"):
            return {"owner_id": self.ids["users"], "reason": "区域调整"}
        if method == "POST" and path == "/api/v1/session":
            return {"name": ADMIN_NAME, "password": ADMIN_PASSWORD}
        if method == "POST" and path == "/api/v1/session/password":
            return {"current_password": ADMIN_PASSWORD, "new_password": ADMIN_PASSWORD}
        if method == "POST" and path in ("/api/v1/opportunities/{id}/quotations",
                                         "/api/v1/quotation-preview"):
            return {"lines": [{"name": "最小", "unit_price": 100, "quantity": 1}]}
        if method == "PUT" and path == "/api/v1/quotations/{id}":
            return {"title": "最小"}
        if method == "POST" and path == "/api/v1/quotations/{id}/status":
            return {"status": "sent"}
        if method == "POST" and path == "/api/v1/quotations/{id}/primary":
            return {"update_amount": False}
        if method == "POST" and path == "/api/v1/templates":
            return {"key": "doc-letter", "lang": "zh", "kind": "letter",
                    "name": {"zh": "文档函", "en": "Doc letter"}, "body": "{{deal.name}}"}
        if method == "POST" and path == "/api/v1/opportunities/{id}/document-preview":
            return {"template": "letter-visit"}
        if method in ("POST", "PUT") and path in ("/api/v1/knowledge", "/api/v1/knowledge/{id}"):
            return {"kind": "case", "title": "文档条目"}
        if method == "PUT" and path == "/api/v1/documents/{id}":
            return {"category": "proposal"}
        if method == "PUT" and path.endswith("/handover"):
            return {"commitments": "无", "project_lead_id": self.ids["contacts"]}
        if method == "PUT" and path.endswith("/forecast"):
            return {"category": "commit", "reason": "客户已口头确认"}
        if method == "PUT" and path == "/api/v1/targets":
            return {"user_id": self.ids["users"], "quarter": "2026-Q4", "amount": 100}
        if method == "PUT" and path == "/api/v1/contracts/{id}":
            return {"signed_on": "2026-12-01", "milestones": []}
        if path == "/api/v1/webhooks" and method == "POST" or \
                path == "/api/v1/webhooks/{id}" and method == "PUT":
            return {"name": "最小", "kind": "wecom", "url": "http://127.0.0.1:9/hook"}
        if method == "POST" and path == "/api/v1/views":
            return {"resource": "accounts", "name": "最小"}
        if method == "POST" and path == "/api/v1/products":
            return {"code": ServerTestCase.unique("DOC"), "name": "最小", "kind": "other",
                    "unit": "项", "list_price": 1}
        if method == "POST" and path in ("/api/v1/teams", "/api/v1/partners"):
            return {"name": ServerTestCase.unique("文档")}
        if method == "POST" and path == "/api/v1/users":
            return {"name": ServerTestCase.unique("文档"), "role": "sales"}
        if method == "PUT" and path.endswith("/password"):
            return {"password": "long-enough-1"}
        if method == "PUT" and path.endswith("/team/{user}"):
            return {"role": "consultant"}
        if method == "POST" and path == "/api/v1/playbooks":
            return small_playbook(ServerTestCase.unique("doc").lower())
        if method == "PATCH":
            return {}
        if method == "POST" and path == "/api/v1/opportunities/{id}/approvals":
            return {"kind": "close", "status": "abandoned", "reason": "客户预算取消"}
        if method == "POST" and path.endswith("/reject"):
            return {"comment": "证据不足"}
        if method == "POST" and path.endswith("/approve"):
            return {"comment": "同意"}
        # The sales tools' forms (PUT, every part optional but for these) and
        # the tools without storage (POST).
        if method == "PUT" and path.endswith("/selection-scoring"):
            return {"criteria": [{"id": "price", "name": "价格", "weight": 100}],
                    "vendors": [{"name": "我方", "us": True, "scores": {"price": 8}}]}
        if method == "PUT" and path.endswith("/profile"):
            return {"purchase_plan": "within_year"}
        if method == "PUT" and re.search(r"/\{id\}/(evaluation|mant|5w2p|compelling-event|tender|"
                                         r"proposal-review|buying-conditions)$",
                                         path):
            return {}
        if method == "POST" and path == "/api/v1/tools/procurement-advice":
            return {"amount": 100000}
        if method == "POST" and path == "/api/v1/tools/bid-simulation":
            return {"weights": {"business": 20, "price": 30, "technical": 40, "service": 10},
                    "bidders": [{"name": "我方", "us": True, "price": 100,
                                 "scores": {"business": 10, "technical": 20, "service": 5}}]}
        # Settings: what they are now, put back.
        if method == "PUT" and path.startswith("/api/v1/settings/"):
            r = self.get(path)
            self.assertEqual(r.status, 200, r)
            return r.json
        return None

    # -- the document itself --------------------------------------------------------------

    def test_is_openapi_3_1(self):
        self.assertRegex(self.doc.get("openapi", ""), r"^3\.1\.\d+$")
        self.assertIn("title", self.doc["info"])
        self.assertIn("version", self.doc["info"])
        self.assertIsInstance(self.doc["paths"], dict)
        self.assertTrue(self.doc["paths"])
        for name in ("Account", "Contact", "Opportunity", "Activity", "Error"):
            self.assertIn(name, self.doc["components"]["schemas"])
        r = self.get("/api/v1/openapi.json")
        self.assertTrue(r.headers.get("Content-Type", "").startswith("application/json"))

    def test_paths_are_documented_with_responses(self):
        for path, item in self.doc["paths"].items():
            self.assertTrue(path.startswith("/"), path)
            for method, op in item.items():
                with self.subTest(path=path, method=method):
                    self.assertIn(method.upper(), METHODS)
                    self.assertIn("responses", op)
                    self.assertTrue(op["responses"])
                    self.assertTrue(any(code.startswith("2") for code in op["responses"]),
                                    op["responses"])
                    names = re.findall(r"\{(\w+)\}", path)
                    params = [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]
                    self.assertEqual(sorted(names), sorted(params))

    def test_every_ref_resolves(self):
        refs = []

        def walk(v):
            if isinstance(v, dict):
                for k, x in v.items():
                    if k == "$ref":
                        refs.append(x)
                    else:
                        walk(x)
            elif isinstance(v, list):
                for x in v:
                    walk(x)

        walk(self.doc)
        self.assertTrue(refs)
        for ref in set(refs):
            with self.subTest(ref=ref):
                self.assertTrue(ref.startswith("#/"), ref)
                node = self.doc
                for part in ref[2:].split("/"):
                    self.assertIn(part, node, ref)
                    node = node[part]

    def test_known_routes_are_documented(self):
        paths = self.doc["paths"]
        expected = {
            "/healthz": {"get"},
            "/api/v1/openapi.json": {"get"},
            "/api/v1/opportunities/{id}/checklist": {"get"},
            "/api/v1/opportunities/{id}/checklist/{item}": {"put"},
            "/api/v1/opportunities/{id}/advance": {"post"},
            "/api/v1/opportunities/{id}/history": {"get"},
            "/api/v1/opportunities/{id}/decisions/{decision}": {"post"},
            "/api/v1/opportunities/{id}/next": {"get"},
            "/api/v1/playbooks": {"get", "post"},
            "/api/v1/playbooks/{id}": {"get"},
            "/api/v1/reports/funnel": {"get"},
            "/api/v1/opportunities/{id}/health": {"get"},
            "/api/v1/tools/procurement-advice": {"post"},
            "/api/v1/tools/bid-simulation": {"post"},
            "/api/v1/settings/evaluation": {"get", "put"},
            "/api/v1/settings/profile-rules": {"get", "put"},
            "/api/v1/accounts/{id}/profile": {"get", "put"},
        }
        for form in ("evaluation", "mant", "5w2p", "compelling-event", "selection-scoring",
                     "tender"):
            expected["/api/v1/opportunities/{id}/" + form] = {"get", "put"}
        for res in ("accounts", "contacts", "opportunities", "activities"):
            expected["/api/v1/" + res] = {"get", "post"}
            expected["/api/v1/%s/{id}" % res] = {"get", "patch", "delete"}
        for path, methods in expected.items():
            with self.subTest(path=path):
                self.assertIn(path, paths)
                self.assertEqual(set(paths[path]), methods)

    # -- documented => exists ---------------------------------------------------------------

    def test_every_documented_operation_exists(self):
        # DELETE goes last and on placeholders, so the real records stay.
        ops = [(p, m.upper()) for p, item in self.doc["paths"].items() for m in item]
        # A transfer changes the record's version: after the PATCH that sends "1".
        # So does a bulk action (a tag added).
        ops.sort(key=lambda pm: (pm[1] == "DELETE", pm[0].endswith(("/transfer", "/bulk"))))
        for path, method in ops:
            with self.subTest(method=method, path=path):
                url = self.concrete(path, real=method != "DELETE")
                headers = {}
                if method in ("PATCH", "DELETE"):
                    headers["If-Match"] = '"1"'
                if path.endswith("/transfer"):  # the record's current version
                    headers["If-Match"] = self.get(url[:-len("/transfer")]).headers["ETag"]
                body = self.minimal_body(method, path)
                step = re.match(r"^/api/v1/approvals/\{id\}/(\w+)$", path)
                if step:
                    url = "/api/v1/approvals/%s/%s" % (self.approval_for[step.group(1)],
                                                       step.group(1))
                    if step.group(1) == "withdraw":
                        headers.update(self.sales)
                if method == "POST" and path == "/api/v1/opportunities/{id}/approvals":
                    url = "/api/v1/opportunities/%s/approvals" % self.spare_deal
                quoted = re.match(r"^/api/v1/quotations/\{id\}(/\w+)?$", path)
                if quoted and method != "DELETE":
                    # A quotation of its own, in the state the route wants.
                    q = self.post("/api/v1/opportunities/%s/quotations" % self.spare_deal,
                                  {"lines": [{"name": "文档行", "unit_price": 100,
                                              "quantity": 1}]}).json
                    if quoted.group(1) in ("/status", "/primary"):
                        q = self.request("POST", "/api/v1/quotations/%s/submit" % q["id"],
                                         headers={"If-Match": '"%d"' % q["version"]}).json
                    url = "/api/v1/quotations/%s%s" % (q["id"], quoted.group(1) or "")
                    headers["If-Match"] = '"%d"' % q["version"]
                if path == "/api/v1/quotations/{id}/contract" or \
                        (path.startswith("/api/v1/contracts/{id}") and method != "DELETE"):
                    contract = sign_contract(self.server, self.spare_deal)
                    if path.startswith("/api/v1/contracts/"):
                        url = path.replace("{id}", contract["id"])
                        headers["If-Match"] = '"%d"' % contract["version"]
                    else:  # a quotation accepted, without its contract yet
                        q = self.post("/api/v1/opportunities/%s/quotations" % self.spare_deal,
                                      {"lines": [{"name": "文档行", "unit_price": 100,
                                                  "quantity": 1}]}).json
                        for what, b in (("submit", None), ("status", {"status": "sent"}),
                                        ("status", {"status": "accepted"})):
                            q = self.request("POST", "/api/v1/quotations/%s/%s" % (q["id"], what),
                                             body=b, headers={"If-Match": '"%d"' % q["version"]}
                                             ).json
                        url = "/api/v1/quotations/%s/contract" % q["id"]
                if path == "/api/v1/opportunities/{id}/documents" and method == "POST":
                    r = self.request("POST", url + "?name=%E6%96%87%E6%A1%A3.pdf", raw=PDF,
                                     headers={"Content-Type": "application/pdf"})
                    self.assertEqual(r.status, 201, r)
                    continue
                if path == "/api/v1/imports/{resource}" and method == "POST":
                    r = self.request("POST", url + "?dry_run=true",
                                     raw="客户名称\n文档导入\n".encode(),
                                     headers={"Content-Type": "text/csv"})
                    self.assertEqual(r.status, 200, r)
                    continue
                if path in ("/api/v1/knowledge/{id}", "/api/v1/webhooks/{id}") and \
                        method == "PUT":
                    headers["If-Match"] = self.get(url).headers["ETag"]
                if "/handover" in path:
                    deal = self.won_deals[1 if path.endswith("/acknowledge") else 0]
                    url = path.replace("{id}", deal)
                    if method == "PUT":
                        headers["If-Match"] = self.get(url).headers["ETag"]
                    if path.endswith("/acknowledge"):
                        headers.update(self.impl)
                if path.endswith("/proposal-review"):
                    url = "/api/v1/opportunities/%s/proposal-review" % self.yonyou_deal
                if path == "/api/v1/opportunities/{id}/forecast":  # its own deal: PATCH sends "1"
                    url = "/api/v1/opportunities/%s/forecast" % self.spare_deal
                if path == "/api/v1/duplicates/accounts":
                    url += "?name=%E6%96%87%E6%A1%A3"
                if path == "/api/v1/duplicates/opportunities":
                    url += "?name=x&account_id=" + self.ids["accounts"]
                if path.endswith("/buying-conditions"):
                    url = "/api/v1/opportunities/%s/buying-conditions" % self.project_deal
                if path == "/api/v1/tags":  # of a resource
                    url += "?resource=opportunities"
                if path == "/api/v1/search":  # the words are required
                    url += "?q=%E5%AE%A2%E6%88%B7"
                r = self.request(method, url, body=body, headers=headers)
                if path == "/api/v1/session/password":
                    self.server.renew_admin_token()  # the change revoked the admin's tokens
                self.assertNotEqual(r.status, 405, r)
                code = (r.json or {}).get("error", {}).get("code") if r.status >= 400 else None
                self.assertNotEqual(code, "no_route", r)
                # With real ids and valid bodies the request works (or is
                # refused for a reason of state, not of routing).
                if method == "DELETE" and path == "/api/v1/session":
                    self.assertError(r, 409, "not_a_session")  # a token is no session
                elif method == "DELETE" and path == "/api/v1/calendar/feed":
                    self.assertEqual(r.status, 204, r)  # the admin's, made for {file}
                elif method == "DELETE":
                    self.assertError(r, 404, "not_found")
                elif "/advance" in path:
                    self.assertError(r, 409, "gate_unmet")
                else:
                    self.assertLess(r.status, 300, r)
                    documented = self.doc["paths"][path][method.lower()]["responses"]
                    self.assertIn(str(r.status), documented)

    def test_documented_list_parameters_are_accepted(self):
        samples = {"date": "2026-01-31", "date-time": "2026-01-31T08:00:00Z"}
        names = {"accounts": "Account", "contacts": "Contact", "opportunities": "Opportunity",
                 "activities": "Activity"}
        for res in ("accounts", "contacts", "opportunities", "activities"):
            op = self.doc["paths"]["/api/v1/" + res]["get"]
            props = self.doc["components"]["schemas"][names[res]]["properties"]
            for param in op["parameters"]:
                if param["in"] != "query":
                    continue
                name, schema = param["name"], param.get("schema", {})
                if name == "cursor":
                    continue
                # A filter on a boolean field takes true or false (whether the
                # parameter says so is test_boolean_filters_are_documented).
                if "boolean" in self.types(props.get(name, {})):
                    values = ["true", "false"]
                elif "enum" in schema:
                    values = schema["enum"]
                elif name == "limit":
                    values = [schema.get("minimum", 1), schema.get("maximum", 200)]
                elif schema.get("format") in samples:
                    values = [samples[schema["format"]]]
                elif schema.get("type") == "integer":  # an amount in fen, a count
                    values = [schema.get("minimum", 0), schema.get("maximum", 150000)]
                elif name.endswith("_id") or name in ("parent_id", "reports_to"):
                    values = ["zzz_placeholder0000"]
                else:
                    values = ["abc"]
                for v in values:
                    with self.subTest(res=res, param=name, value=v):
                        r = self.get("/api/v1/%s?%s=%s" % (res, name, v))
                        self.assertEqual(r.status, 200, r)

    @staticmethod
    def types(prop):
        t = prop.get("type", [])
        return t if isinstance(t, list) else [t]

    def test_boolean_filters_are_documented_as_boolean(self):
        names = {"accounts": "Account", "contacts": "Contact", "opportunities": "Opportunity",
                 "activities": "Activity"}
        for res, schema_name in names.items():
            props = self.doc["components"]["schemas"][schema_name]["properties"]
            for param in self.doc["paths"]["/api/v1/" + res]["get"]["parameters"]:
                prop = props.get(param["name"])
                if param["in"] != "query" or prop is None or "boolean" not in self.types(prop):
                    continue
                with self.subTest(res=res, param=param["name"]):
                    # The server takes only true/false (and 1/0): a string
                    # parameter would invite values it refuses.
                    self.assertEqual(param["schema"].get("type"), "boolean", param)
                    r = self.get("/api/v1/%s?%s=true" % (res, param["name"]))
                    self.assertEqual(r.status, 200, r)
                    self.assertError(self.get("/api/v1/%s?%s=abc" % (res, param["name"])), 422,
                                     field=param["name"])

    def test_defaults_have_the_type_of_their_property(self):
        py_types = {"string": str, "integer": int, "number": (int, float), "boolean": bool,
                    "array": list, "object": dict}
        for name, schema in self.doc["components"]["schemas"].items():
            for key, prop in schema.get("properties", {}).items():
                if "default" not in prop:
                    continue
                with self.subTest(schema=name, property=key):
                    default = prop["default"]
                    ok = [t for t in self.types(prop) if t in py_types and
                          isinstance(default, py_types[t]) and
                          not (t == "integer" and isinstance(default, bool))]
                    self.assertTrue(ok, "default %r is not of type %s" % (default, prop["type"]))

    def test_records_match_their_schemas(self):
        schemas = self.doc["components"]["schemas"]
        names = {"accounts": "Account", "contacts": "Contact", "opportunities": "Opportunity",
                 "activities": "Activity"}
        py_types = {"string": str, "integer": int, "array": list, "null": type(None),
                    "object": dict, "boolean": bool}
        for res, rid in self.ids.items():
            if res not in names:
                continue
            schema = schemas[names[res]]
            rec = self.get("/api/v1/%s/%s" % (res, rid)).json
            with self.subTest(resource=res):
                # "warnings" is in the answer to a create or a change only.
                self.assertEqual(set(rec), set(schema["properties"]) - {"warnings"})
                for key in schema.get("required", []):
                    self.assertIsNotNone(rec[key], key)
                for key, prop in schema["properties"].items():
                    if key == "warnings":
                        continue
                    types = prop.get("type")
                    types = types if isinstance(types, list) else [types]
                    self.assertTrue(any(isinstance(rec[key], py_types[t]) and
                                        not (t == "integer" and isinstance(rec[key], bool))
                                        for t in types), (key, rec[key], types))
                    if "enum" in prop and rec[key] is not None:
                        self.assertIn(rec[key], prop["enum"], key)

    # -- exists => documented ---------------------------------------------------------------

    def test_every_route_is_documented(self):
        for path, item in self.doc["paths"].items():
            documented = {m.upper() for m in item}
            for method in METHODS:
                with self.subTest(method=method, path=path):
                    headers = {"If-Match": '"999"'}
                    r = self.request(method, self.concrete(path, real=False), raw=b"{}",
                                     headers=headers)
                    code = (r.json or {}).get("error", {}).get("code")
                    if r.status == 405 or code == "no_route":
                        self.assertNotIn(method, documented,
                                         "documented %s %s is not routed" % (method, path))
                        if r.status == 405:
                            allow = {m.strip() for m in r.headers.get("Allow", "").split(",")}
                            self.assertEqual(allow, documented)
                    else:
                        self.assertIn(method, documented,
                                      "%s %s answers %s but is not documented"
                                      % (method, path, r.status))

    def test_undocumented_paths_have_no_route(self):
        for path in ("/api/v1", "/api/v1/", "/api/v1/reports", "/api/v1/reports/pipeline",
                     "/api/v1/accounts/acc_x/contacts", "/api/v1/opportunities/opp_x/stage",
                     "/api/v1/opportunities/opp_x/checklist/a/b", "/api/v1/playbooks/x/y",
                     "/api/v2/accounts", "/openapi.json", "/healthz/x"):
            with self.subTest(path=path):
                self.assertNotIn(path, self.doc["paths"])
                for method in ("GET", "POST"):
                    r = self.request(method, path, raw=b"{}")
                    self.assertError(r, 404, "no_route")


if __name__ == "__main__":
    unittest.main()
