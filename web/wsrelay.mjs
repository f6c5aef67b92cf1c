// ES-module entry point of the wsrelay browser client (docs/client.md).
//   import WsRelay, { sendSignal, receiveSignal } from '/wsrelay.mjs';
// The client itself lives in wsrelay.js, a classic script that also runs as a module and
// defines the globals; this file only re-exports them (a file cannot be both a classic
// script and a module with exports). Importing it also defines the globals.
import './wsrelay.js';

const WsRelay = globalThis.WsRelay;
// A module has no document.currentScript: say where we came from, so the default URL is the
// relay that served this file, as it is for <script src=".../wsrelay.js">.
WsRelay._setScriptSrc(import.meta.url);

export default WsRelay;
export { WsRelay };
export const sendSignal = WsRelay.sendSignal;
export const receiveSignal = WsRelay.receiveSignal;
