// What a third-party page writes with the npm package (the README's example),
// type-checked against the package's own .d.ts before it is built.
import init, { Player, type PlayerOptions, type PlayerStats } from "tubeswarm";
// The stand-alone functions are a module of their own (the player's does not carry them).
import initTools, { parsePlaylist } from "tubeswarm/tools";

await Promise.all([init(), initTools()]);
const video = document.querySelector<HTMLVideoElement>("#video")!;
const params = new URLSearchParams(location.search);
const options: PlayerOptions = { src: params.get("src")!, segmentsSha256Url: params.get("hashes") ?? undefined };
const player = await Player.create(video, options);
const switches: number[] = [];
player.addEventListener("level-switch", (e) => switches.push(e.detail.level));
video.play().catch(() => {});

const master = parsePlaylist(await (await fetch(options.src)).text(), options.src);
const show = () => {
  const s: PlayerStats = player.stats();
  document.querySelector("#stats")!.textContent = `${s.segmentsVerified}/${s.segmentsLoaded} verified, ${s.httpDownloadedBytes} B, ${master.variants} variants`;
};
setInterval(show, 500);
Object.assign(window, { player, switches, master });
