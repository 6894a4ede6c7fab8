// Browser-only stand-in for webrtc-polyfill (see package.json): the
// environment's own WebRTC classes, or undefined where there are none.
const scope = globalThis;
export const RTCPeerConnection = scope.RTCPeerConnection;
export const RTCSessionDescription = scope.RTCSessionDescription;
export const RTCIceCandidate = scope.RTCIceCandidate;
export const RTCDataChannel = scope.RTCDataChannel;
export default { RTCPeerConnection, RTCSessionDescription, RTCIceCandidate, RTCDataChannel };
