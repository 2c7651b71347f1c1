// Regenerates the files in this directory (tests/data/sig/generated/).
// Independent of tmon's C code: signatures, addresses and digests come
// from ethers 6.17.0 (EIP-191 personal_sign, secp256k1) and
// @noble/curves 1.2.0 (Ed25519); SHA-256 from node's crypto module.
// Run:  npm install ethers@6.17.0   (pulls @noble/curves 1.2.0)
//       node generate.js            (in this directory)
// Signing is deterministic (RFC 6979 / RFC 8032), so the output is
// byte-identical on every run.
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { Wallet, SigningKey, hashMessage, getAddress, Signature } = require('ethers');
const { ed25519 } = require('@noble/curves/ed25519');

const sha = (b) => crypto.createHash('sha256').update(b).digest('hex');
const hex = (u8) => Buffer.from(u8).toString('hex');

function write(dir, files) {
	fs.mkdirSync(dir, { recursive: true });
	for (const [name, data] of Object.entries(files))
		fs.writeFileSync(dir + '/' + name, data);
}

function exchange(model, prompt) {
	const req = Buffer.from(JSON.stringify({ model: model, stream: true,
	    messages: [{ role: 'user', content: prompt }] }));
	const id = 'chatcmpl-tmon' + sha(req).slice(0, 8);
	let sse = '';
	for (const piece of ['Hello', ' there', '.'])
		sse += 'data: ' + JSON.stringify({ id: id, model: model,
		    choices: [{ index: 0, delta: { content: piece } }] }) + '\n\n';
	sse += 'data: [DONE]\n\n';
	return { req: req, resp: Buffer.from(sse) };
}

// 1. Rust-proxy style: "<model>:<req>:<resp>", a model name with a colon,
//    lowercase address (as the Rust proxy serves it).
{
	const key = '0x' + '4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318';
	const w = new Wallet(key);
	const model = 'org/model:v1.2';
	const x = exchange(model, 'Say hello.');
	const text = model + ':' + sha(x.req) + ':' + sha(x.resp);
	const sig = w.signMessageSync(text);
	const pub = w.signingKey.publicKey;	// 0x04 || x || y
	write('ecdsa_model_prefix', {
		'request_body.json': x.req,
		'response_body.sse': x.resp,
		'signature_response.json': JSON.stringify({ text: text,
		    signature: sig, signing_address: w.address.toLowerCase(),
		    signing_algo: 'ecdsa', signature_kind: 'provider_tee' }) + '\n',
		'expected.json': JSON.stringify({ address: w.address.toLowerCase(),
		    address_eip55: w.address, public_key_xy: pub.slice(4),
		    eip191_digest: hashMessage(text).slice(2),
		    request_sha256: sha(x.req), response_sha256: sha(x.resp) },
		    null, 2) + '\n',
	});
}

// 2. A model name with non-ASCII characters: the EIP-191 length prefix
//    counts UTF-8 bytes, not characters.  EIP-55 mixed-case address.
{
	const key = '0x' + '8da4ef21b864d2cc526dbdb2a120bd2874c36c9d0a1fb7f8c63d7f7a8b41de8f';
	const w = new Wallet(key);
	const model = 'modèle-ü/Größe';
	const x = exchange(model, 'Grüß dich.');
	const text = model + ':' + sha(x.req) + ':' + sha(x.resp);
	const sig = w.signMessageSync(text);
	write('ecdsa_utf8_model', {
		'request_body.json': x.req,
		'response_body.sse': x.resp,
		'signature_response.json': JSON.stringify({ text: text,
		    signature: sig, signing_address: w.address,
		    signing_algo: 'ecdsa' }) + '\n',
		'expected.json': JSON.stringify({ address: w.address.toLowerCase(),
		    address_eip55: w.address,
		    public_key_xy: w.signingKey.publicKey.slice(4),
		    eip191_digest: hashMessage(text).slice(2),
		    text_utf8_bytes: Buffer.byteLength(text),
		    text_chars: [...text].length }, null, 2) + '\n',
	});
}

// 3. Ed25519 (NEAR ed25519 signing_algo): plain Ed25519 over the text
//    bytes, signature 64 bytes hex without 0x, signing_address = key hex.
{
	const seed = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
	const pub = ed25519.getPublicKey(seed);
	const x = exchange('ed/model', 'Sign with Ed25519.');
	const text = sha(x.req) + ':' + sha(x.resp);
	const sig = ed25519.sign(Buffer.from(text), seed);
	write('ed25519', {
		'request_body.json': x.req,
		'response_body.sse': x.resp,
		'signature_response.json': JSON.stringify({ text: text,
		    signature: hex(sig), signing_address: hex(pub),
		    signing_algo: 'ed25519' }) + '\n',
		'expected.json': JSON.stringify({ public_key: hex(pub) }, null, 2) + '\n',
	});
}

// 4. NEAR sample A with its signature in high-S form: s' = n - s and the
//    recovery id flipped.  Recovers the same signer (ECDSA malleability).
{
	const a = JSON.parse(fs.readFileSync('../nearai-docs/A_deepseek-v3.1_cloud-api_2025-10/signature_response.json'));
	const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
	const b = Buffer.from(a.signature.slice(2), 'hex');
	const s = BigInt('0x' + b.subarray(32, 64).toString('hex'));
	const hs = (n - s).toString(16).padStart(64, '0');
	const v = b[64] === 27 ? 28 : 27;
	a.signature = '0x' + b.subarray(0, 32).toString('hex') + hs +
	    v.toString(16).padStart(2, '0');
	// Check with ethers' own recovery that the signer is unchanged.
	const { verifyMessage } = require('ethers');
	const r = '0x' + b.subarray(0, 32).toString('hex');
	const sigLow = Signature.from({ r: r, s: '0x' + s.toString(16).padStart(64, '0'), v: b[64] });
	if (verifyMessage(a.text, sigLow) !== getAddress(a.signing_address))
		throw new Error('sample A does not verify');
	write('A_high_s', {
		'signature_response.json': JSON.stringify(a, null, 2) + '\n',
		'expected.json': JSON.stringify({ address: a.signing_address.toLowerCase(),
		    note: 'sample A, s replaced by n - s and v flipped' }, null, 2) + '\n',
	});
}
