"""Regenerates the signed samples in events/ticket, events/mq and events/fc (run from the repo root:
`.venv/bin/python tools/gen_ticket_samples.py`). Demo secrets only; see events/README.md."""
import base64
import copy
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, "shared")
from rampart.fc.http_trigger import http_event
from rampart.secret import Secret
from rampart.sources.signing import sign_body, signed_headers

ROOT = Path("events")
JIRA_SECRET = Secret("demo-jira-webhook-secret")
TICKET_SECRET = Secret("demo-ticket-webhook-secret")

def write(path, data):
    p = ROOT / path
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

def compact(data):
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

def user(account, name, email, tz="Asia/Shanghai"):
    return {
        "self": f"https://example.atlassian.net/rest/api/2/user?accountId={account}",
        "accountId": account,
        "avatarUrls": {"48x48": "https://secure.gravatar.com/avatar/0?d=mm&s=48"},
        "displayName": name,
        "emailAddress": email,
        "active": True,
        "timeZone": tz,
        "accountType": "atlassian",
    }

ALICE = user("5b10a2844c20165700ede21g", "Alice Wong", "alice.wong@example.com")
BOB = user("5b109f2e9729b51b54dc274d", "Bob Li", "bob.li@example.com")

def jira_issue(key, issue_id, request_type, profile, duration, ts_ms, change_id, to_name="Approved", to_id="10002"):
    fields = {
        "summary": f"{request_type}: {profile} for Alice Wong",
        "issuetype": {"id": "10100", "name": "Access request", "subtask": False},
        "project": {"id": "10000", "key": "OPS", "name": "Operations"},
        "status": {"id": to_id, "name": to_name, "statusCategory": {"id": 3, "key": "done", "name": "Done"}},
        "priority": {"id": "3", "name": "Medium"},
        "reporter": ALICE,
        "creator": ALICE,
        "assignee": BOB,
        "created": "2025-03-01T16:40:12.000+0800",
        "updated": "2025-03-01T17:00:00.000+0800",
        "customfield_10010": {
            "_links": {"web": f"https://example.atlassian.net/servicedesk/customer/portal/2/{key}"},
            "requestType": {"id": "25" if request_type == "Request access" else "26", "name": request_type},
            "currentStatus": {"status": to_name, "statusCategory": "DONE"},
        },
        "customfield_10050": "E1001",
        "customfield_10051": {
            "self": "https://example.atlassian.net/rest/api/2/customFieldOption/10020",
            "value": profile,
            "id": "10020",
        },
        "customfield_10052": duration,
    }
    return {
        "timestamp": ts_ms,
        "webhookEvent": "jira:issue_updated",
        "issue_event_type_name": "issue_generic",
        "user": BOB,
        "issue": {
            "id": issue_id,
            "self": f"https://example.atlassian.net/rest/api/2/issue/{issue_id}",
            "key": key,
            "fields": fields,
        },
        "changelog": {
            "id": change_id,
            "items": [
                {
                    "field": "status",
                    "fieldtype": "jira",
                    "fieldId": "status",
                    "from": "10001",
                    "fromString": "Waiting for approval",
                    "to": to_id,
                    "toString": to_name,
                }
            ],
        },
    }

T0 = datetime(2025, 3, 1, 9, 0, 0, tzinfo=timezone.utc)  # 1740819600
MS = 1740819600000

def wrap_jira(name, payload, identifier, *, b64=False):
    body = compact(payload)
    headers = [
        ("Content-Type", "application/json; charset=utf-8"),
        ("User-Agent", "Atlassian Webhook HTTP Client"),
        ("X-Atlassian-Webhook-Identifier", identifier),
        ("X-Atlassian-Webhook-Flow", "Primary"),
        ("X-Hub-Signature", sign_body(JIRA_SECRET, body)),
    ]
    event = http_event("POST", "/ticket/jira", body, T0.replace(second=2), headers=headers,
                       source_ip="13.52.5.96", request_id="1-67c2cd02-5e2f5ca1-4b3a0cd2b1e0")
    if b64:
        event["body"] = base64.b64encode(body).decode("ascii")
        event["isBase64Encoded"] = True
    write(name, event)

grant = jira_issue("OPS-42", "10042", "Request access", "arms-full", "4h", MS, "10100")
write("ticket/jira-issue-approved.json", grant)
wrap_jira("ticket/jira-issue-approved.fc-http.json", grant, "a1b2c3d4-0042-4e5f-9a8b-000000010100")
wrap_jira("ticket/jira-issue-approved.fc-http-base64.json", grant, "a1b2c3d4-0042-4e5f-9a8b-000000010100", b64=True)

revoke = jira_issue("OPS-57", "10057", "Revoke access", "arms-full", None, MS + 3_600_000, "10177")
write("ticket/jira-revoke-approved.json", revoke)

def wrap_at(name, payload, identifier, when):
    body = compact(payload)
    headers = [
        ("Content-Type", "application/json; charset=utf-8"),
        ("User-Agent", "Atlassian Webhook HTTP Client"),
        ("X-Atlassian-Webhook-Identifier", identifier),
        ("X-Atlassian-Webhook-Flow", "Primary"),
        ("X-Hub-Signature", sign_body(JIRA_SECRET, body)),
    ]
    write(name, http_event("POST", "/ticket/jira", body, when, headers=headers, source_ip="13.52.5.96",
                           request_id="1-67c2db12-0c1d2e3f-4a5b6c7d8e9f"))

wrap_at("ticket/jira-revoke-approved.fc-http.json", revoke, "a1b2c3d4-0057-4e5f-9a8b-000000010177",
        T0.replace(hour=10, second=2))

# the verbatim reference envelope (webhook-formats.md §5.1): a transition to In Progress
in_progress = {
  "timestamp": 1720000000000,
  "webhookEvent": "jira:issue_updated",
  "issue_event_type_name": "issue_generic",
  "user": {"accountId": "5b10a2...", "displayName": "Jane Developer"},
  "issue": {"id": "10002", "key": "PROJ-123",
            "fields": {"summary": "Login button is misaligned", "status": {"name": "In Progress"},
                       "priority": {"name": "High"}}},
  "changelog": {"items": [{"field": "status", "fromString": "To Do", "toString": "In Progress"}]},
}
write("ticket/jira-reference-in-progress.json", in_progress)

# generic contract
generic_grant = {
    "ticket_id": "RITM0010042",
    "action": "grant",
    "user": "alice.wong",
    "profile": "break-glass-admin",
    "duration": "PT2H",
    "status": "approved",
    "requester": "alice.wong",
    "approver": "security-oncall",
    "occurred_at": "2025-03-01T17:05:00+08:00",
    "event_id": "9d6c2f7e1b8a4c3d9e0f1a2b3c4d5e6f",
}
generic_revoke = {
    "ticket_id": "RITM0010042",
    "action": "revoke",
    "user": "alice.wong",
    "profile": "break-glass-admin",
    "status": "approved",
    "requester": "alice.wong",
    "approver": "security-oncall",
    "occurred_at": "2025-03-01T18:00:00+08:00",
    "event_id": "0e1f2a3b4c5d6e7f8091a2b3c4d5e6f7",
}
def wrap_generic(name, payload, when):
    body = compact(payload)
    headers = [("Content-Type", "application/json"), ("User-Agent", "ServiceNow/1.0"),
               *signed_headers(TICKET_SECRET, int(when.timestamp()), body).items()]
    write(name, http_event("POST", "/ticket/generic", body, when, headers=headers, source_ip="148.139.4.10",
                           request_id=""))
write("ticket/generic-grant.json", generic_grant)
wrap_generic("ticket/generic-grant.fc-http.json", generic_grant, datetime(2025, 3, 1, 9, 5, 1, tzinfo=timezone.utc))
write("ticket/generic-revoke.json", generic_revoke)
wrap_generic("ticket/generic-revoke.fc-http.json", generic_revoke, datetime(2025, 3, 1, 10, 0, 1, tzinfo=timezone.utc))

# --- message queues -------------------------------------------------------------------------
joiner = {
    "event_id": "hr-generic-E3001-joined",
    "kind": "joiner",
    "occurred_at": "2025-03-01T01:00:00Z",
    "source": "hr:generic",
    "actor": "hr-sync",
    "person": {"person_id": "E3001", "display_name": "李雷", "email": "li.lei@example.com",
               "attributes": {"department": "Engineering", "title": "SRE", "cost_center": "CC-200"},
               "manager": "E0001", "access": ["console"]},
    "correlation_id": "hr-generic-E3001-joined",
}
mover = {
    "event_id": "hr-generic-E3002-moved",
    "kind": "mover",
    "occurred_at": "2025-03-01T02:00:00Z",
    "source": "hr:generic",
    "person": {"person_id": "E3002", "display_name": "Han Meimei", "email": "han.meimei@example.com",
               "attributes": {"department": "Applications", "title": "Developer"}},
    "correlation_id": "hr-generic-E3002-moved",
}
leaver = {
    "event_id": "hr-generic-E3003-left",
    "kind": "leaver",
    "occurred_at": "2025-03-01T03:00:00Z",
    "source": "hr:generic",
    "person_id": "E3003",
    "correlation_id": "hr-generic-E3003-left",
}
grant_event = {
    "event_id": "ticket-jira-a1b2c3d4-0042-4e5f-9a8b-000000010100",
    "kind": "grant",
    "occurred_at": "2025-03-01T09:00:00Z",
    "source": "ticket:jira",
    "person_id": "E1001",
    "profile": "arms-full",
    "until": "2025-03-01T13:00:00Z",
    "approval": {"ticket_id": "OPS-42", "status": "approved", "requester": "alice.wong@example.com",
                 "approver": "bob.li@example.com"},
    "actor": "bob.li@example.com",
    "correlation_id": "ticket-jira-a1b2c3d4-0042-4e5f-9a8b-000000010100",
}
handoff = {"rampart": 1, "delivery_id": "ticket-jira-a1b2c3d4-0042-4e5f-9a8b-000000010100", "events": [grant_event]}
write("mq/handoff.json", handoff)

def cloudevent(ce_id, data, t, source="rampart.hr", ce_type="rampart:Lifecycle:Event", subject="rampart/events"):
    return {
        "id": ce_id,
        "source": source,
        "specversion": "1.0",
        "type": ce_type,
        "datacontenttype": "application/json; charset=utf-8",
        "subject": subject,
        "time": t,
        "aliyunaccountid": "1234567890123456",
        "aliyunpublishtime": t,
        "aliyunoriginalaccountid": "1234567890123456",
        "aliyuneventbusname": "rampart",
        "aliyunregionid": "cn-hangzhou",
        "aliyunpublishaddr": "10.0.XX.XX",
        "data": data,
    }

write("mq/cloudevent-single.json", cloudevent("7b1c4e0a-2f3d-4c5b-8a9e-0d1f2a3b4c5d", joiner, "2025-03-01T01:00:01.120Z"))
batch = [
    cloudevent("7b1c4e0a-2f3d-4c5b-8a9e-0d1f2a3b4c5d", joiner, "2025-03-01T01:00:01.120Z"),
    cloudevent("8c2d5f1b-3e4a-4d6c-9b0f-1e2a3b4c5d6e", {"rampart": 1, "delivery_id": "hr-generic-E3002-moved", "events": [mover]}, "2025-03-01T02:00:00.950Z"),
    cloudevent("9d3e6a2c-4f5b-4e7d-8c1a-2f3b4c5d6e7f", leaver, "2025-03-01T03:00:00.410Z"),
]
write("mq/cloudevent-batch.json", batch)
bad = copy.deepcopy(leaver)
bad["event_id"] = "hr-generic-E3004-left"
bad["kind"] = "resigned"
partial = [
    batch[0],
    cloudevent("ad4f7b3d-5a6c-4f8e-9d2b-3a4c5d6e7f80", bad, "2025-03-01T03:10:00.000Z"),
    batch[2],
    # EventBridge re-sent the first event with the same id: harmless
    batch[0],
    cloudevent("be5a8c4e-6b7d-4a9f-8e3c-4b5d6e7f8091", {"meetingName": "swqd", "action": "camera_off"}, "2025-03-01T03:20:00.000Z",
               source="acs:aliyuncvc", ce_type="aliyuncvc:MeetingEvent:MemberOperate"),
]
write("mq/cloudevent-batch-partial.json", partial)

rocket = {
    "id": "94ebc15f-f0db-4bbe-acce-56fb72fb1a01",
    "source": "acs:mq",
    "specversion": "1.0",
    "type": "mq:Topic:SendMessage",
    "datacontenttype": "application/json; charset=utf-8",
    "subject": "acs:mq:cn-hangzhou:1234567890123456:MQ_INST_1234567890123456_BXhFHryi%rampart-events",
    "time": "2025-03-01T01:00:01.766Z",
    "aliyunpublishtime": "2025-03-01T01:00:01.725Z",
    "aliyuneventbusname": "rampart-rocketmq",
    "data": {
        "topic": "rampart-events",
        "systemProperties": {
            "MIN_OFFSET": "0",
            "TRACE_ON": "true",
            "MAX_OFFSET": "8",
            "MSG_REGION": "cn-hangzhou",
            "KEYS": "hr-generic-E3001-joined",
            "CONSUME_START_TIME": 1740790801790,
            "UNIQ_KEY": "AC14C305069E1B28CDFA3181CDA20001",
            "TAGS": "joiner",
            "INSTANCE_ID": "MQ_INST_1234567890123456_BXhFHryi",
        },
        "userProperties": {},
        "body": compact({"rampart": 1, "delivery_id": "hr-generic-E3001-joined", "events": [joiner]}).decode(),
    },
}
write("mq/rocketmq-eventbridge.json", [rocket])
raw_batch = [
    {"topic": "rampart-events", "systemProperties": {"UNIQ_KEY": "AC14C305069E1B28CDFA3181CDA20001", "TAGS": "joiner"},
     "userProperties": {}, "body": compact(joiner).decode()},
    {"topic": "rampart-events", "systemProperties": {"UNIQ_KEY": "AC14C305069E1B28CDFA3181CDA20002", "TAGS": "leaver"},
     "userProperties": {}, "body": compact(leaver).decode()},
]
write("mq/rocketmq-rawdata-batch.json", raw_batch)

mns_queue = {
    "id": "c2g71017-6f65-fhcf-a814-a396fc8d0001",
    "source": "MNS-rampart-lifecycle",
    "specversion": "1.0",
    "type": "mns:Queue:SendMessage",
    "datacontenttype": "application/json; charset=utf-8",
    "subject": "acs:mns:cn-hangzhou:1234567890123456:queues/rampart-events",
    "time": "2025-03-01T03:00:01.093Z",
    "aliyunaccountid": "1234567890123456",
    "aliyunpublishtime": "2025-03-01T03:00:01.128Z",
    "aliyunoriginalaccountid": "1234567890123456",
    "aliyuneventbusname": "MNS-rampart-lifecycle",
    "aliyunregionid": "cn-hangzhou",
    "aliyunpublishaddr": "42.120.XX.XX",
    "data": {"requestId": "606EA3074344430D4C810001", "messageId": "C6DB60D1574661357FA2272774450001",
             "messageBody": compact(leaver).decode()},
}
write("mq/mns-queue-eventbridge.json", [mns_queue])
mns_b64 = copy.deepcopy(mns_queue)
mns_b64["id"] = "c2g71017-6f65-fhcf-a814-a396fc8d0002"
mns_b64["data"]["messageId"] = "C6DB60D1574661357FA2272774450002"
mns_b64["data"]["messageBody"] = base64.b64encode(compact(leaver)).decode()
write("mq/mns-queue-eventbridge-base64.json", [mns_b64])

topic = {
    "TopicOwner": "1234567890123456",
    "Message": compact({"rampart": 1, "delivery_id": "hr-generic-E3002-moved", "events": [mover]}).decode(),
    "Subscriber": "1234567890123456",
    "PublishTime": 1740794400950,
    "SubscriptionName": "rampart-lifecycle",
    "MessageMD5": "7F1120AE2C15B843365E9A8800000001",
    "TopicName": "rampart-events",
    "MessageId": "20A37C322A6B444C1B38656900000001",
}
write("mq/mns-topic-json.json", topic)
write("mq/mns-topic-stream.json", {"body": compact(mover).decode(), "attrs": {"Extend": "{\"key\":\"value\"}"}})

# verbatim reference examples (webhook-formats.md §6.1-6.3): their data is not rampart's
write("mq/reference/eventbridge-cloudevent.json", {
    "data": {"meetingName": "swqd", "groupId": "456", "action": "camera_off", "time": 1590592527490,
             "userId": "199525", "meetingUUID": "hz-20864c8f-b10d-45cd-9935-884bca1b****"},
    "id": "45ef4dewdwe1-7c35-447a-bd93-fab****",
    "source": "acs:aliyuncvc",
    "specversion": "1.0",
    "subject": "acs.aliyuncvc:cn-hangzhou:{AccountId}:215672",
    "time": "2020-11-19T21:04:41+08:00",
    "type": "aliyuncvc:MeetingEvent:MemberOperate",
    "aliyunaccountid": "123456789098****",
    "aliyunpublishtime": "2020-11-19T21:04:42.179PRC",
    "aliyuneventbusname": "default",
    "aliyunregionid": "cn-hangzhou",
    "aliyunpublishaddr": "172.25.XX.XX",
})
ref_rocket = copy.deepcopy(rocket)
ref_rocket.update({"id": "94ebc15f-f0db-4bbe-acce-56fb72fb****",
                   "subject": "acs:mq:cn-hangzhou:123456789098****:MQ_INST_123456789098****_BXhFHryi%TopicName",
                   "time": "2021-04-08T06:01:20.766Z", "aliyunpublishtime": "2021-04-08T06:01:20.725Z",
                   "aliyuneventbusname": "BusName"})
ref_rocket["data"] = {"topic": "TopicName", "systemProperties": {
    "MIN_OFFSET": "0", "TRACE_ON": "true", "MAX_OFFSET": "8", "MSG_REGION": "cn-hangzhou",
    "KEYS": "systemProperties.KEYS", "CONSUME_START_TIME": 1628577790396,
    "UNIQ_KEY": "AC14C305069E1B28CDFA3181CDA2****", "TAGS": "systemProperties.TAGS",
    "INSTANCE_ID": "MQ_INST_123456789098****_BXhFHryi"}, "userProperties": {}, "body": "TEST"}
write("mq/reference/rocketmq-eventbridge.json", ref_rocket)
write("mq/reference/mns-queue-eventbridge.json", {
  "id": "c2g71017-6f65-fhcf-a814-a396fc8d****", "source": "MNS-Function-mnstrigger", "specversion": "1.0",
  "type": "mns:Queue:SendMessage", "datacontenttype": "application/json; charset=utf-8",
  "subject": "acs:mns:cn-hangzhou:164901546557****:queues/zeus", "time": "2021-04-08T06:28:17.093Z",
  "aliyunaccountid": "16490154********", "aliyunpublishtime": "2021-10-15T07:06:34.028Z",
  "aliyunoriginalaccountid": "164901546557****", "aliyuneventbusname": "MNS-Function-mnstrigger",
  "aliyunregionid": "cn-chengdu", "aliyunpublishaddr": "42.120.XX.XX",
  "data": {"requestId": "606EA3074344430D4C81****", "messageId": "C6DB60D1574661357FA227277445****", "messageBody": "TEST"}})
write("mq/reference/mns-topic-json.json", {
  "TopicOwner": "topic account id", "Message": "mock mns message", "Subscriber": "subscriber account id",
  "PublishTime": 1658235558094, "SubscriptionName": "test-5bf13c7e", "MessageMD5": "652BF0E6297840015247C3xxxxxxx",
  "TopicName": "fc-example", "MessageId": "3405CA51807661353B3xxxxxxxx"})
write("mq/reference/mns-topic-stream.json", {"body": "hello topic", "attrs": {"Extend": "{\"key\":\"value\"}"}})

# --- FC -------------------------------------------------------------------------------------
write("fc/http-trigger-reference.json", {
    "version": "v1", "rawPath": "/example", "body": "Hello FC!", "isBase64Encoded": False,
    "headers": {"header1": "value1", "header2": "value1,value2"},
    "queryParameters": {"parameter1": "value1", "parameter2": "value1,value2"},
    "requestContext": {"accountId": "123456*********", "domainName": "<http-trigger-id>.<region-id>.fcapp.run",
                       "domainPrefix": "<http-trigger-id>",
                       "http": {"method": "GET", "path": "/example", "protocol": "HTTP/1.1",
                                "sourceIp": "11.11.11.**", "userAgent": "PostmanRuntime/7.32.3"},
                       "requestId": "1-64f6cd87-*************", "time": "2023-09-05T06:41:11Z",
                       "timeEpoch": "1693896071895"}})
write("fc/http-trigger-binary.json", http_event(
    "POST", "/upload/r%C3%A9sum%C3%A9", bytes(range(256)), datetime(2023, 9, 5, 6, 41, 11, 895000, tzinfo=timezone.utc),
    headers=[("Content-Type", "application/octet-stream"), ("X-Tag", "a"), ("X-Tag", "b")],
    query=[("tag", "x"), ("tag", "y")], source_ip="11.11.11.11", request_id="1-64f6cd87-0a1b2c3d-4e5f60718293"))
write("fc/timer-reference.json", {"triggerTime": "2023-12-26T07:49:00Z", "triggerName": "timer-trigger", "payload": "awesome-fc"})
