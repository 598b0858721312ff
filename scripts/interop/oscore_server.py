# oscore_server.py: aiocoap 0.4.17 OSCORE server for the coap-oscore interop tests.
# usage: python oscore_server.py server.json PORT
# Resources (OSCORE only; unprotected requests get 4.01 "OSCORE required"):
#   /secret GET/PUT/POST, /big GET (4096 bytes) / PUT (answers "LEN SHA256"), /obs observable counter.
# Prints "READY" on stdout once it listens. Based on digests/other-implementations.md §2.2.1.
import asyncio, hashlib, json, sys
import aiocoap, aiocoap.resource as resource
from aiocoap.credentials import CredentialsMap
from aiocoap.oscore_sitewrapper import OscoreSiteWrapper

def protected(req): return bool(list(req.remote.authenticated_claims))
DENY = lambda: aiocoap.Message(code=aiocoap.UNAUTHORIZED, payload=b"OSCORE required")

class Secret(resource.Resource):
    data = b"initial"
    async def render_get(self, req):
        return aiocoap.Message(payload=self.data) if protected(req) else DENY()
    async def render_post(self, req):
        return aiocoap.Message(code=aiocoap.CHANGED, payload=b"echo:" + req.payload) if protected(req) else DENY()
    async def render_put(self, req):
        if not protected(req): return DENY()
        self.data = req.payload; return aiocoap.Message(code=aiocoap.CHANGED)

class Big(resource.Resource):
    data = bytes(i % 251 for i in range(4096))
    async def render_get(self, req):
        return aiocoap.Message(payload=self.data) if protected(req) else DENY()
    async def render_put(self, req):
        if not protected(req): return DENY()
        self.data = req.payload
        return aiocoap.Message(code=aiocoap.CHANGED, payload=f"{len(req.payload)} {hashlib.sha256(req.payload).hexdigest()}".encode())

class Obs(resource.ObservableResource):
    n = 0
    def __init__(self):
        super().__init__(); asyncio.get_running_loop().call_later(0.3, self.tick)
    def tick(self):
        self.n += 1; self.updated_state(); asyncio.get_running_loop().call_later(0.3, self.tick)
    async def render_get(self, req):
        return aiocoap.Message(payload=f"n={self.n}".encode()) if protected(req) else DENY()

async def main():
    creds = CredentialsMap(); creds.load_from_dict(json.load(open(sys.argv[1])))
    root = resource.Site()
    root.add_resource(["secret"], Secret()); root.add_resource(["big"], Big()); root.add_resource(["obs"], Obs())
    await aiocoap.Context.create_server_context(OscoreSiteWrapper(root, creds), bind=("127.0.0.1", int(sys.argv[2])))
    print("READY", flush=True)
    await asyncio.get_running_loop().create_future()

asyncio.run(main())
