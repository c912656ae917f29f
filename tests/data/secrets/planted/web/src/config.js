// front-end config
export const firebase = {
  apiKey: "AIzaM1uyugq94lxmxjc2p6aBg0HDtqUKS4ZKLFw",
  authDomain: 'acme.firebaseapp.com',
};
const openai = "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";
const token = process.env.API_TOKEN;
const jwt = "eyJg0SMSx-GgoRpSigALH4f.eyJNVWQq_yLKuHjZEfTPZUdX2g21OUu7pcn2Tt3q9Fe.lDQUeU5ryd0FIy6mt998OIYwmUnZj6c4qdBzbTk12Ff";
