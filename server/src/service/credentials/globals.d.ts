/**
 * The few Web APIs the core uses that `lib: ["ES2022"]` without DOM or Node types
 * does not declare. Node 18+, browsers and web workers all provide them, so the
 * core stays free of Node's `Buffer` (STYLE: "Where code goes").
 */
declare function atob(data: string): string;
declare function btoa(data: string): string;

declare class TextEncoder {
  constructor();
  encode(input?: string): Uint8Array;
}

declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array): string;
}
