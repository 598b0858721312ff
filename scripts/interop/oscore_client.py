# oscore_client.py: aiocoap 0.4.17 OSCORE client for the coap-oscore interop tests.
# usage: python oscore_client.py client.json coap://127.0.0.1:PORT STEP...
# STEP: get | put | post | big | observe  -- each prints one JSON line {"step", "code", "payload"/...}.
# An unprotected error answer makes aiocoap raise; that is printed as {"step", "error": "..."}.
import asyncio, hashlib, json, sys
import aiocoap
from aiocoap import Message, GET, PUT, POST

async def run(ctx, base, step):
    if step == "get":
        r = await ctx.request(Message(code=GET, uri=base + "/secret")).response
        return {"code": str(r.code), "payload": r.payload.decode()}
    if step == "put":
        r = await ctx.request(Message(code=PUT, uri=base + "/secret", payload=b"hello-put")).response
        return {"code": str(r.code), "payload": r.payload.decode()}
    if step == "post":
        r = await ctx.request(Message(code=POST, uri=base + "/secret", payload=b"hi")).response
        return {"code": str(r.code), "payload": r.payload.decode()}
    if step == "big":
        body = bytes((i * 7 + 3) % 256 for i in range(4096))
        r = await ctx.request(Message(code=PUT, uri=base + "/big", payload=body)).response
        g = await ctx.request(Message(code=GET, uri=base + "/big")).response
        return {"code": str(r.code), "payload": r.payload.decode(), "expected": f"4096 {hashlib.sha256(body).hexdigest()}",
                "get_code": str(g.code), "get_equal": g.payload == body, "get_len": len(g.payload)}
    if step == "observe":
        req = ctx.request(Message(code=GET, uri=base + "/obs", observe=0))
        r = await req.response
        notes = []
        async for n in req.observation:
            notes.append(n.payload.decode())
            if len(notes) == 2:
                req.observation.cancel(); break
        return {"code": str(r.code), "payload": r.payload.decode(), "notifications": notes}
    raise SystemExit(f"unknown step {step}")

async def main():
    ctx = await aiocoap.Context.create_client_context()
    ctx.client_credentials.load_from_dict(json.load(open(sys.argv[1])))
    for step in sys.argv[3:]:
        try:
            out = await asyncio.wait_for(run(ctx, sys.argv[2], step), 20)
        except Exception as e:
            out = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps({"step": step, **out}), flush=True)
    await ctx.shutdown()

asyncio.run(main())
