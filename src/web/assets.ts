// The pages' one stylesheet and one script, inlined into every page (no framework, no CDN, no
// font: the system's). The script keeps the status table live (rows.html waits for the next state
// change, at most LIVE_WAIT_MS) and follows a tail page while it is scrolled to the bottom.

/** How long rows.html waits for a state change before answering anyway (uptimes tick). */
export const LIVE_WAIT_MS = 1000;
/** How often a tail page reloads its text, and how long the script waits after a failed fetch. */
export const FOLLOW_MS = 2000;

/** The stylesheet: readable from a phone's width up; the table scrolls sideways when it must. */
export const STYLE = `
body{font:15px/1.4 system-ui,sans-serif;margin:0;color:#222;background:#f6f6f4}
header{background:#234;color:#fff;padding:.6em 1em;display:flex;gap:1em;align-items:baseline;flex-wrap:wrap}
header h1{font-size:1.2em;margin:0}main{padding:.8em}
.status_msg{background:#ffd;border:1px solid #cc9;padding:.5em;margin-bottom:.8em}
.wrap{overflow-x:auto}table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:.35em .5em;border-bottom:1px solid #ddd;vertical-align:top}
thead th{background:#eee;font-size:.85em;text-transform:uppercase}
tr.group th{background:#e4e9ef;font-weight:600}
.statusrunning{color:#070;font-weight:600}.statuserror{color:#b00;font-weight:600}.statusnominal{color:#666}
form{display:inline}button,.act a{font:inherit;font-size:.9em;margin:.1em;padding:.25em .6em;border:1px solid #999;border-radius:4px;background:#fff;color:#123;text-decoration:none;display:inline-block;cursor:pointer}
button:hover,.act a:hover{background:#eef}.bar{display:flex;gap:.3em;flex-wrap:wrap;margin-bottom:.8em}
pre{background:#fff;border:1px solid #ddd;padding:.6em;white-space:pre-wrap;word-break:break-all;max-height:75vh;overflow:auto}
footer{color:#777;font-size:.8em;padding:1em}
@media(max-width:640px){thead{display:none}tr,td,th{display:block}tr{border-bottom:2px solid #ccc}td{border:0;padding:.15em .5em}td[data-k]::before{content:attr(data-k) ": ";color:#777}}
`.trim().replace(/\n/g, "");

/** The script: a live table and a following tail, both from the server's own HTML. */
export const SCRIPT = `(()=>{
const wait=(ms)=>new Promise((r)=>setTimeout(r,ms));
const rows=document.querySelector("tbody[data-live]");
if(rows)(async()=>{for(;;){try{const r=await fetch("rows.html",{cache:"no-store"});if(!r.ok)throw 0;const h=await r.text();if(h!==rows.innerHTML)rows.innerHTML=h}catch{await wait(${FOLLOW_MS})}}})();
const pre=document.querySelector("pre[data-follow]");
if(pre){pre.scrollTop=pre.scrollHeight;setInterval(async()=>{const end=pre.scrollTop+pre.clientHeight>=pre.scrollHeight-4;if(!end)return;try{const r=await fetch(location.href,{cache:"no-store"});const d=new DOMParser().parseFromString(await r.text(),"text/html");const t=d.querySelector("pre").textContent;if(t!==pre.textContent){pre.textContent=t;pre.scrollTop=pre.scrollHeight}}catch{}},${FOLLOW_MS})}
})()`.replace(/\n/g, "");
