"""Chat robots and webhook sinks: the third-party endpoints rampart notifies (``rampart.notify``).

A DingTalk custom robot (``POST /robot/send?access_token=..&timestamp=..&sign=..``), a Feishu /
Lark custom bot (``POST /open-apis/bot/v2/hook/<token>``) and a generic webhook sink verifying
rampart's own signature (``POST /webhooks/<name>``), served on localcloud's port so a client
posts to them over real HTTP. Each verifies the signature and the timestamp window the way the
real one does and answers its real error JSON. See :mod:`localcloud.robots.models`.
"""
