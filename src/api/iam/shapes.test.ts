import { test } from "node:test";
import assert from "node:assert/strict";
import { xmlResponse } from "../query-model.js";
import { encodeDocument, IAM_XMLNS, roleMembers } from "./shapes.js";

// GetRole as AWS answered it (shared/reference/aws-recorded/iam-urls-logs-recorded.json, `iam-getrole-wire`).
const RECORDED_DOCUMENT =
  "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22AWS%22%3A%22%2A%22%2C%22Service%22%3A%22s3.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D";

test("a policy document is percent-encoded exactly as AWS encodes it, and decodes back to the same text", () => {
  const document = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*","Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole"}]}';
  assert.equal(encodeDocument(document), RECORDED_DOCUMENT);
  const odd = `{"a":"!'()* é&<>%+ ~"}`;
  assert.equal(decodeURIComponent(encodeDocument(odd)), odd);
  assert.doesNotMatch(encodeDocument(odd), /[!'()*&<> ]/);
});

test("GetRole's XML: the role's members under IAM's namespace, RoleLastUsed empty, dates without milliseconds", () => {
  const role = {
    name: "myRedshiftRole",
    id: "AROA5NVJNZGMLZCLMQD34",
    path: "/",
    arn: "arn:aws:iam::922699549080:role/myRedshiftRole",
    createDate: Date.UTC(2020, 9, 23, 23, 57, 53, 123),
    assumeRolePolicyDocument: "{}",
    maxSessionDuration: 3600,
    tags: [],
    inlinePolicies: {},
    attachedPolicies: [],
  };
  const xml = xmlResponse("GetRole", { Role: roleMembers(role, "get") }, "req-1", IAM_XMLNS);
  assert.equal(
    xml,
    '<?xml version="1.0"?><GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRoleResult><Role><Path>/</Path><RoleName>myRedshiftRole</RoleName><RoleId>AROA5NVJNZGMLZCLMQD34</RoleId>' +
      "<Arn>arn:aws:iam::922699549080:role/myRedshiftRole</Arn><CreateDate>2020-10-23T23:57:53Z</CreateDate><AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument><MaxSessionDuration>3600</MaxSessionDuration>" +
      "<RoleLastUsed></RoleLastUsed></Role></GetRoleResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetRoleResponse>",
  );
});
