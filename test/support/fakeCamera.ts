/**
 * Videos for Chromium's fake camera (`--use-file-for-fake-video-capture`), made at test time and never committed: raw
 * Y4M (4:2:0, 640×480, 30 fps). A face that comes closer, as a person moving towards the camera does (the photo in
 * the demo screenshot @vladmandic/human ships, MIT, growing from about 200 to 520 pixels tall on a gray ground), and the
 * same face staying too far. The detector's model decides whether it sees a face; nothing here tells it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as jpeg from "jpeg-js";

const WIDTH = 640;
const HEIGHT = 480;
const GRAY = 128;

/** Writes frames (each an RGB sampler over the frame's pixels) as Y4M. */
function writeY4m(file: string, frames: number, pixel: (frame: number, x: number, y: number) => [number, number, number]): void {
    const out = fs.openSync(file, "w");
    try {
        fs.writeSync(out, `YUV4MPEG2 W${WIDTH} H${HEIGHT} F30:1 Ip A1:1 C420jpeg\n`);
        const y = Buffer.alloc(WIDTH * HEIGHT);
        const u = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2));
        const v = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2));
        for (let f = 0; f < frames; f++) {
            for (let row = 0; row < HEIGHT; row++) {
                for (let col = 0; col < WIDTH; col++) {
                    const [r, g, b] = pixel(f, col, row);
                    y[row * WIDTH + col] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
                    if (row % 2 === 0 && col % 2 === 0) {
                        const at = (row / 2) * (WIDTH / 2) + col / 2;
                        u[at] = Math.max(0, Math.min(255, Math.round(-0.169 * r - 0.331 * g + 0.5 * b + 128)));
                        v[at] = Math.max(0, Math.min(255, Math.round(0.5 * r - 0.419 * g - 0.081 * b + 128)));
                    }
                }
            }
            fs.writeSync(out, "FRAME\n");
            fs.writeSync(out, y);
            fs.writeSync(out, u);
            fs.writeSync(out, v);
        }
    } finally {
        fs.closeSync(out);
    }
}

/** The photo of a face in the demo screenshot of @vladmandic/human (its left panel), as RGB rows. */
function facePhoto(humanPackageDir: string): { width: number; height: number; at: (x: number, y: number) => [number, number, number] } {
    const shot = jpeg.decode(fs.readFileSync(path.join(humanPackageDir, "assets", "screenshot-faceid.jpg")), { useTArray: true });
    const [left, top, size] = [14, 142, 140];
    return {
        width: size,
        height: size,
        at: (x, y) => {
            const i = ((top + y) * shot.width + left + x) * 4;
            return [shot.data[i], shot.data[i + 1], shot.data[i + 2]];
        },
    };
}

/** A face coming closer over 80 frames, then held for 40: what the detector's oval asks a person to do. */
export function writeApproachingFace(file: string, humanPackageDir: string): void {
    writeFace(file, humanPackageDir, (frame) => 200 + (520 - 200) * Math.min(1, frame / 79), 120);
}

/** A face that stays where it is, too far for the oval: the detector waits for it to come closer, then gives up. */
export function writeStillFace(file: string, humanPackageDir: string): void {
    writeFace(file, humanPackageDir, () => 200, 30);
}

/** Frames of the face photo `size(frame)` pixels tall, centred on a gray ground. */
function writeFace(file: string, humanPackageDir: string, size: (frame: number) => number, frames: number): void {
    const photo = facePhoto(humanPackageDir);
    writeY4m(file, frames, (frame, x, y) => {
        const tall = size(frame);
        const [cx, cy] = [WIDTH / 2, HEIGHT / 2 + 10];
        const px = Math.floor(((x - cx) / tall + 0.5) * photo.width);
        const py = Math.floor(((y - cy) / tall + 0.5) * photo.height);
        return px >= 0 && py >= 0 && px < photo.width && py < photo.height ? photo.at(px, py) : [GRAY, GRAY, GRAY];
    });
}
