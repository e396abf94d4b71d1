import { createServer, IncomingMessage } from "http";
import { AddressInfo } from "net";

/**
 * A local STS for the credentials check's tests (no AWS, no network): GetCallerIdentity answers an operator of
 * account 123456789012, AssumeRole grants fixed credentials, unless told to refuse with an error code or to never answer.
 */

export const LOCAL_CALLER_ARN = "arn:aws:iam::123456789012:user/operator";

export interface StsRequest {
  /** The query form: Action, RoleArn, ExternalId, RoleSessionName... */
  readonly form: URLSearchParams;
  /** The access key id the request was signed with. */
  readonly accessKeyId: string;
}

export type StsAnswer = "grant" | "hang" | { readonly code: string; readonly message: string };

export interface LocalSts {
  readonly url: string;
  readonly requests: StsRequest[];
  /** How the next requests are answered. @default "grant" */
  answer: StsAnswer;
  close(): Promise<void>;
}

const GRANTED: Readonly<Record<string, string>> = {
  GetCallerIdentity:
    `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${LOCAL_CALLER_ARN}</Arn>` +
    "<UserId>AIDAOPERATOR</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>",
  AssumeRole:
    '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAASSUMED</AccessKeyId>' +
    "<SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>",
};

function accessKeyOf(request: IncomingMessage): string {
  return /Credential=([^/]+)\//.exec(request.headers.authorization ?? "")?.[1] ?? "";
}

export async function localSts(): Promise<LocalSts> {
  const requests: StsRequest[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const form = new URLSearchParams(body);
      requests.push({ form, accessKeyId: accessKeyOf(request) });
      const answer = sts.answer;
      if (answer === "hang") return;
      if (answer !== "grant") {
        response.writeHead(403, { "Content-Type": "text/xml" });
        response.end(`<ErrorResponse><Error><Type>Sender</Type><Code>${answer.code}</Code><Message>${answer.message}</Message></Error></ErrorResponse>`);
        return;
      }
      const granted = GRANTED[form.get("Action") ?? ""];
      response.writeHead(granted ? 200 : 400, { "Content-Type": "text/xml" });
      response.end(granted ?? "<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>");
    });
  });
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
  const sts: LocalSts = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    answer: "grant",
    close: () =>
      new Promise<void>((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
  return sts;
}
